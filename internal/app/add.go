package app

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/date"

	"github.com/pctracker/pctracker/internal/api"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/user"
)

// The "add" commands: each validates its input before opening the
// database, so bad input writes nothing.

func runStakeholder(e env, args []string) error {
	const synopsis = "stakeholder add --name NAME --kind KIND --country CC [--website URL] [--supporter-since DATE] [--verified] [--json]"
	f, args, err := addFlags(e, args, "stakeholder", synopsis)
	if err != nil {
		return err
	}
	name := f.String("name", "", "organisation `name`")
	kind := f.String("kind", "", "`kind`: "+stakeholder.KindCodes())
	country := f.String("country", "", "ISO 3166-1 alpha-2 `code`, e.g. FR (none for international organisations)")
	website := f.String("website", "", "website `URL`")
	since := f.String("supporter-since", "", "`date` the organisation joined the Paris Call (YYYY-MM-DD)")
	verified := f.Bool("verified", false, "mark as verified by the secretariat")
	asJSON := f.Bool("json", false, "print the new organisation as JSON")
	if err := f.parse(args); err != nil {
		return err
	}
	if err := required(f, "name", "kind"); err != nil {
		return err
	}
	in := stakeholder.Input{Name: *name, Kind: stakeholder.Kind(*kind), Country: *country, Website: *website,
		Verified: *verified, Active: true}
	if *since != "" {
		d, err := date.Parse(*since)
		if err != nil {
			return errs.FieldErrors{"supporter-since": "must be a date as YYYY-MM-DD"}.Err()
		}
		in.SupporterSince = &d
	}
	// Validate before opening the database, so bad input touches nothing.
	in.Normalize()
	if err := in.Validate(); err != nil {
		return err
	}
	return withServices(e, f, func(svc *services) error {
		st, err := svc.stakeholders.Create(e.ctx, user.System("cli"), in)
		if err != nil {
			return err
		}
		return printResult(e, *asJSON, api.StakeholderDTO(st), fmt.Sprintf("created organisation %d: %s (%s, %s)", st.ID, st.Name, st.Kind, st.Country))
	})
}

func runUser(e env, args []string) error {
	const synopsis = "user add --email EMAIL --name NAME --role secretariat|supporter [--stakeholder ID --org-role member|focal_point] [--password-stdin] [--json]\n" +
		"       pctracker user reset-two-step --email EMAIL"
	sub, rest, err := subcommand(args, "add", "reset-two-step")
	if err != nil {
		return subErr(e, err, synopsis)
	}
	if sub == "reset-two-step" {
		return userResetTwoStep(e, rest, synopsis)
	}
	f := newFlags(e, "user add", synopsis)
	args = rest
	email := f.String("email", "", "email `address` (the sign-in name)")
	name := f.String("name", "", "full `name`")
	role := f.String("role", "", "`role`: secretariat or supporter")
	sid := f.Int64("stakeholder", 0, "organisation `ID` (supporters)")
	orgRole := f.String("org-role", "", "`role` in the organisation: member or focal_point")
	pwStdin := f.Bool("password-stdin", false, "read the password from the first line of standard input")
	asJSON := f.Bool("json", false, "print the new user as JSON")
	if err := f.parse(args); err != nil {
		return err
	}
	if err := required(f, "email", "name", "role"); err != nil {
		return err
	}
	in := user.Input{Email: *email, Name: *name, Role: user.Role(*role), StakeholderID: *sid, OrgRole: user.OrgRole(*orgRole)}
	if *pwStdin {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return errs.Wrap(errs.Invalid, err, "read password from standard input")
		}
		in.Password = strings.TrimRight(line, "\r\n")
		if in.Password == "" {
			return errs.FieldErrors{"password": "standard input held no password"}.Err()
		}
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return err
	}
	return withServices(e, f, func(svc *services) error {
		u, err := svc.users.Create(e.ctx, user.System("cli"), in)
		if err != nil {
			return err
		}
		summary := fmt.Sprintf("created user %d: %s (%s)", u.ID, u.Email, u.Role)
		if u.PasswordHash == "" {
			summary += "; no password set yet"
		}
		return printResult(e, *asJSON, api.UserDTO(u), summary)
	})
}

// userResetTwoStep removes a person's authenticator, for a lost phone with
// no recovery code left: their next sign-in sets up a new one. Whoever can
// run this command can reach the database anyway, so it needs no sign-in.
func userResetTwoStep(e env, args []string, synopsis string) error {
	f := newFlags(e, "user reset-two-step", synopsis)
	email := f.String("email", "", "email `address` of the person")
	if err := f.parse(args); err != nil {
		return err
	}
	if err := required(f, "email"); err != nil {
		return err
	}
	return withServices(e, f, func(svc *services) error {
		u, err := svc.twoStep.Reset(e.ctx, user.System("cli"), *email)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "two-step sign-in reset for user %d (%s): the next sign-in sets up a new authenticator\n", u.ID, u.Email)
		return nil
	})
}

func runToken(e env, args []string) error {
	const synopsis = "token add --email EMAIL [--name NAME] [--json]"
	f, args, err := addFlags(e, args, "token", synopsis)
	if err != nil {
		return err
	}
	email := f.String("email", "", "email `address` of the user the token acts as")
	name := f.String("name", "", "a `name` to recognise the token by")
	asJSON := f.Bool("json", false, "print the token as JSON")
	if err := f.parse(args); err != nil {
		return err
	}
	if err := required(f, "email"); err != nil {
		return err
	}
	return withServices(e, f, func(svc *services) error {
		t, secret, err := svc.users.CreateToken(e.ctx, user.System("cli"), *email, *name)
		if err != nil {
			return err
		}
		if *asJSON {
			return printResult(e, true, map[string]any{"id": t.ID, "user_id": t.UserID, "name": t.Name,
				"created_at": t.CreatedAt, "token": secret}, "")
		}
		fmt.Fprintf(e.stdout, "%s\n", secret)
		fmt.Fprintf(e.stderr, "token %d (%s) created; it is shown only once: send it as 'Authorization: Bearer <token>'\n", t.ID, t.Name)
		return nil
	})
}

func runCycle(e env, args []string) error {
	const synopsis = "cycle add --year YEAR --opens DATE --deadline DATE --forum DATE [--report DATE] [--embargo immediate|forum] [--json]"
	f, args, err := addFlags(e, args, "cycle", synopsis)
	if err != nil {
		return err
	}
	year := f.Int("year", 0, "the `year` of the cycle (its Forum's year)")
	opens := f.String("opens", "", "`date` submissions open (YYYY-MM-DD)")
	deadline := f.String("deadline", "", "`date` of the submission deadline (YYYY-MM-DD)")
	forum := f.String("forum", "", "`date` of the Paris Peace Forum (YYYY-MM-DD)")
	report := f.String("report", "", "`date` the report is compiled (default: three weeks before the Forum)")
	embargo := f.String("embargo", string(cycle.Immediate), "when accepted actions become public: immediate or forum")
	asJSON := f.Bool("json", false, "print the new cycle as JSON")
	if err := f.parse(args); err != nil {
		return err
	}
	if err := required(f, "year", "opens", "deadline", "forum"); err != nil {
		return err
	}
	in := cycle.Input{Year: *year, Embargo: cycle.Embargo(*embargo)}
	bad := errs.FieldErrors{}
	bad.Day("opens", *opens, &in.OpensAt)
	bad.Day("deadline", *deadline, &in.Deadline)
	bad.Day("forum", *forum, &in.ForumDate)
	bad.Day("report", *report, &in.ReportAt)
	if err := bad.Err(); err != nil {
		return err
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return err
	}
	return withServices(e, f, func(svc *services) error {
		c, err := svc.cycles.Create(e.ctx, user.System("cli"), in)
		if err != nil {
			return err
		}
		return printResult(e, *asJSON, api.CycleDTO(c, time.Now()), fmt.Sprintf("created cycle %d: opens %s, deadline %s, report %s, Forum %s",
			c.Year, c.OpensAt.Format(time.DateOnly), c.Deadline.Format(time.DateOnly), c.ReportAt.Format(time.DateOnly), c.ForumDate.Format(time.DateOnly)))
	})
}
