package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// The CLI resets a lost authenticator: the next sign-in enrols again.
func TestUserResetTwoStep(t *testing.T) {
	for _, engine := range testutil.Engines {
		t.Run(engine, func(t *testing.T) {
			dbURL := testutil.NewDatabaseURL(t, engine)
			mails := t.TempDir()
			env := map[string]string{"PCT_DATABASE_URL": dbURL, "PCT_LOG_LEVEL": "warn", "PCT_MAIL_DIR": mails}
			db := testutil.NewDBAt(t, dbURL)
			s := testutil.NewServices(db)
			if _, err := s.Users.Create(context.Background(), testutil.System, user.Input{Email: "sec@pc.example", Name: "S",
				Role: user.Secretariat, Password: apptest.Password}); err != nil {
				t.Fatal(err)
			}
			apptest.WithAuthenticator(t, db, "sec@pc.example")
			_, apiToken, err := s.Users.CreateToken(context.Background(), testutil.System, "sec@pc.example", "ci")
			if err != nil {
				t.Fatal(err)
			}
			if r := apptest.RunCLI(t, env, "", "user", "reset-two-step", "--email", "SEC@pc.example"); r.Code != 0 || !strings.Contains(r.Stdout, "two-step sign-in reset") {
				t.Fatalf("reset: %+v", r)
			}
			if m := testutil.Mails(t, mails, "sec@pc.example"); len(m) != 1 || !strings.Contains(m[0].Subject, "two-step sign-in reset") ||
				!strings.Contains(m[0].Text, "Every API token of your account was revoked") || !strings.Contains(m[0].Text, "Tous les jetons d'API") {
				t.Errorf("the person was not told of the reset and the revoked tokens: %+v", m)
			}
			ts := apptest.StartServerAt(t, db, s.Clock.Now)
			if r := apptest.Get(t, nil, ts.URL+"/api/v1/me", "Authorization", "Bearer "+apiToken); r.Status != http.StatusUnauthorized {
				t.Errorf("an API token after the reset: %d", r.Status)
			}
			b := apptest.BrowserClient()
			apptest.PostAnonForm(t, b, ts.URL+"/signin", url.Values{"email": {"sec@pc.example"}, "password": {apptest.Password}})
			if page := apptest.Get(t, b, ts.URL+"/signin/code"); !apptest.SetupKey.MatchString(page.Body) {
				t.Errorf("no setup after reset: %.1000s", page.Body)
			}
			if r := apptest.RunCLI(t, env, "", "user", "reset-two-step", "--email", "nobody@pc.example"); r.Code == 0 || !strings.Contains(r.Stderr, "no user with this email") {
				t.Errorf("reset of an unknown account: %+v", r)
			}
		})
	}
}
