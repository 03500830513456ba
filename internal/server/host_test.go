package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"html"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/pquerna/otp"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

var (
	otpauthLink = regexp.MustCompile(`href="(otpauth://[^"]+)"`)
	qrImage     = regexp.MustCompile(`src="data:image/png;base64,([^"]+)"`)
)

// Whatever Host header a request forges, what pctracker hands out names
// its base_url: the authenticator's label and issuer (as text and in the
// QR code), and the links of the mail it sends (reset, wrong code,
// invitation).
func TestForgedHostNamesNothing(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ts := apptest.StartServerAt(t, db, s.Clock.Now) // base_url http://pct.test
		if _, err := s.Users.Create(context.Background(), testutil.System, user.Input{Email: "camille@pc.example", Name: "Camille",
			Role: user.Secretariat, Password: apptest.Password}); err != nil {
			t.Fatal(err)
		}
		const evil = "evil.example"
		b := apptest.BrowserClient()
		// forged sends a request with the Host header of another site.
		forged := func(method, path string, form url.Values, header ...string) apptest.Response {
			t.Helper()
			var body io.Reader
			if form != nil {
				body = strings.NewReader(form.Encode())
			}
			req, _ := http.NewRequest(method, ts.URL+path, body)
			req.Host = evil
			if form != nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			apptest.SetHeader(req, header...)
			r := apptest.Send(t, b, req)
			if strings.Contains(r.Body, evil) || strings.Contains(r.Header.Get("Location"), evil) {
				t.Errorf("%s %s names the forged host: %d %s", method, path, r.Status, r.Header.Get("Location"))
			}
			return r
		}
		form := func(path string, v url.Values) apptest.Response {
			t.Helper()
			forged("GET", path, nil) // sets the form's cookie, once
			// The client keeps cookies by the Host header it sent.
			for _, ck := range b.Jar.Cookies(&url.URL{Scheme: "http", Host: evil}) {
				if ck.Name == "pct_form" {
					v.Set("csrf_token", ck.Value)
				}
			}
			return forged("POST", path, v)
		}

		// The password, then the setup page of the authenticator.
		if r := form("/signin", url.Values{"email": {"camille@pc.example"}, "password": {apptest.Password}}); r.Header.Get("Location") != "/signin/code" {
			t.Fatalf("password: %d %q", r.Status, r.Header.Get("Location"))
		}
		page := forged("GET", "/signin/code", nil)
		link, qr := otpauthLink.FindStringSubmatch(page.Body), qrImage.FindStringSubmatch(page.Body)
		if link == nil || qr == nil {
			t.Fatalf("no setup on the page: %.2000s", page.Body)
		}
		key, err := otp.NewKeyFromURL(html.UnescapeString(link[1]))
		if err != nil {
			t.Fatal(err)
		}
		if key.Issuer() != "pctracker (pct.test)" || key.AccountName() != "camille@pc.example" {
			t.Errorf("the authenticator's issuer %q and account %q (from %s)", key.Issuer(), key.AccountName(), key.String())
		}
		// The QR code holds that same address.
		img, err := key.Image(240, 240)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		png.Encode(&want, img)
		if base64.StdEncoding.EncodeToString(want.Bytes()) != html.UnescapeString(qr[1]) {
			t.Errorf("the QR code holds another address than the link %s", key.String())
		}

		// A wrong code, a reset request and an invitation: their mail
		// links to base_url.
		form("/signin/code", url.Values{"code": {"000000"}})
		form("/reset", url.Values{"email": {"camille@pc.example"}})
		_, token, err := s.Users.CreateToken(context.Background(), testutil.System, "camille@pc.example", "ci")
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("POST", ts.URL+"/api/v1/invitations", strings.NewReader(`{"email": "new@pc.example", "name": "New", "role": "secretariat"}`))
		req.Host = evil
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusAccepted {
			t.Fatalf("invitation: %d", res.StatusCode)
		}
		apptest.NewestLink(t, 1, "new@pc.example", "/invite")
		apptest.NewestLink(t, 1, "camille@pc.example", "/reset/new")
		mails := testutil.Mails(t, apptest.MailDir(t), "camille@pc.example")
		wrongCode := false
		for _, m := range mails {
			wrongCode = wrongCode || strings.Contains(m.Subject, "a wrong sign-in code")
			if strings.Contains(m.Text, evil) {
				t.Errorf("a mail names the forged host: %s", m.Text)
			}
		}
		if !wrongCode {
			t.Error("no notice of the wrong code")
		}
	})
}
