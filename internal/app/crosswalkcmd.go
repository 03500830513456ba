package app

import (
	"fmt"
	"io"
	"os"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/user"
)

// runCrosswalk reads or writes the crosswalk as a YAML file: import makes
// pctracker's crosswalk what the file says, all or nothing; export writes
// it in the same format.
func runCrosswalk(e env, args []string) error {
	const synopsis = "crosswalk import FILE [--check] | crosswalk export FILE [--force]   (FILE may be - for stdin or stdout)"
	sub, rest, err := subcommand(args, "import", "export")
	if err != nil {
		return subErr(e, err, synopsis)
	}
	f := newFlags(e, "crosswalk "+sub, synopsis)
	check := f.Bool("check", false, "import: read and check the file, write nothing")
	force := f.Bool("force", false, "export: replace FILE if it exists")
	// The file comes first, as people write it; flags may follow it.
	var file string
	if len(rest) > 0 && (rest[0] == "-" || rest[0] != "" && rest[0][0] != '-') {
		file, rest = rest[0], rest[1:]
	}
	if err := f.parse(rest); err != nil {
		return err
	}
	if file == "" {
		fmt.Fprintln(e.stderr, "name the crosswalk file (or - )")
		f.Usage()
		return errUsage
	}
	if sub == "export" {
		return exportCrosswalk(e, f, file, *force)
	}
	return importCrosswalk(e, f, file, *check)
}

func importCrosswalk(e env, f *flags, file string, check bool) error {
	var data []byte
	var err error
	if file == "-" {
		data, err = io.ReadAll(io.LimitReader(e.stdin, 16<<20))
	} else {
		data, err = os.ReadFile(file)
	}
	if err != nil {
		return errs.E(errs.Invalid, "read %s: %v", file, err)
	}
	return withServices(e, f, func(svc *services) error {
		if check {
			cw, err := svc.frameworks.Check(e.ctx, data)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s is valid: %d frameworks, %d provisions; nothing was written (--check)\n", file, len(cw.Frameworks), cw.Provisions())
			return nil
		}
		res, err := svc.frameworks.Import(e.ctx, user.System("crosswalk import"), data)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "imported %s (sha256 %s): %d frameworks, %d provisions\n", file, res.SHA256[:12], res.Frameworks, res.Provisions)
		if res.Unchanged() {
			fmt.Fprintln(e.stdout, "nothing changed: pctracker held this crosswalk already")
			return nil
		}
		fmt.Fprintf(e.stdout, "frameworks: %d added, %d changed, %d removed\nprovisions: %d added, %d changed, %d removed\n",
			res.FrameworksAdded, res.FrameworksChanged, res.FrameworksRemoved, res.ProvisionsAdded, res.ProvisionsChanged, res.ProvisionsRemoved)
		return nil
	})
}

func exportCrosswalk(e env, f *flags, file string, force bool) error {
	if file != "-" && !force {
		if _, err := os.Stat(file); err == nil {
			return errs.E(errs.Invalid, "%s exists; choose another name, or pass --force", file)
		}
	}
	return withServices(e, f, func(svc *services) error {
		data, err := svc.frameworks.Export(e.ctx)
		if err != nil {
			return err
		}
		if file == "-" {
			_, err = e.stdout.Write(data)
			return err
		}
		if err := os.WriteFile(file, data, 0o644); err != nil {
			return errs.E(errs.Invalid, "write %s: %v", file, err)
		}
		fmt.Fprintf(e.stdout, "wrote %s (%d bytes)\n", file, len(data))
		return nil
	})
}
