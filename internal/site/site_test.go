package site_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/net/html"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/app"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/site"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/testutil"
)

const live = "http://pct.test"

// exported fills a PostgreSQL database with a public site worth copying
// (two pages of organisations, accepted actions, a published report with
// its documents), exports it and returns the copy's folder and the
// sitemap the site gave.
func exported(t *testing.T) (dir string, sitemap []string) {
	t.Helper()
	db := testutil.NewDB(t, "postgres")
	sc := apptest.NewScenario(t, db)
	for range 51 { // the directory shows 50 a page
		sc.S.Stakeholder(t, stakeholder.Company)
	}
	for i := range 3 {
		apptest.AcceptIn(t, sc, sc.Org.ID, 2025, func(in *action.Input) { in.Title = fmt.Sprintf("Export licensing, part %d", i+1) })
	}
	report := apptest.Decode[apptest.ReportJSON](t, sc.Sec.Do("POST", "/api/v1/cycles/2025/reports", ""))
	if r := sc.Sec.Do("POST", fmt.Sprintf("/api/v1/reports/%d/publish", report.ID), ""); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	cfg := config.Default()
	cfg.BaseURL = live
	cfg.Mail.Dir = t.TempDir()
	cfg.Report.Chromium = "off"
	cfg.Evidence.Enabled = false
	cfg.HTTP.PublicFreshness = 0
	srv, stop, err := app.NewServer(cfg, db, sc.S.Clock.Now, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stop() })
	dir = t.TempDir()
	st, err := site.Export(context.Background(), srv.Handler(), site.Options{Dir: dir, Live: live, Languages: []string{"en", "fr"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("exported %s", st)
	var set struct {
		URLs []struct {
			Loc string `xml:"loc"`
		} `xml:"url"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "sitemap.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(b, &set); err != nil {
		t.Fatal(err)
	}
	for _, u := range set.URLs {
		sitemap = append(sitemap, u.Loc)
	}
	if len(sitemap) < 20 {
		t.Fatalf("the sitemap lists %d addresses", len(sitemap))
	}
	return dir, sitemap
}

// startNginx serves dir with nginx on a free loopback port, as the README
// says to, and returns its base URL.
func startNginx(t *testing.T, dir string) string {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		bin = "/usr/sbin/nginx"
	}
	run := t.TempDir()
	port := testutil.FreePort(t)
	conf := filepath.Join(run, "nginx.conf")
	for _, d := range []string{filepath.Dir(dir), dir, filepath.Dir(run), run} { // the workers read through
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	text := fmt.Sprintf(`daemon off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 64; }
http {
    access_log off;
    include /etc/nginx/mime.types;
    types { text/csv csv; application/atom+xml atom; }
    client_body_temp_path %[1]s/tmp;
    server {
        listen 127.0.0.1:%[2]d;
        root %[3]s;
        index index.html;
    }
}
`, run, port, dir)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", run, "-c", conf)
	// A file, not a pipe: nginx's workers hold its output open after the
	// master has gone.
	out, err := os.Create(filepath.Join(run, "output"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	said := func() string { b, _ := os.ReadFile(out.Name()); return string(b) }
	if err := cmd.Start(); err != nil {
		t.Fatalf("start nginx: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// TERM: the master stops its workers before it exits.
	t.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGTERM); <-exited })
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for {
		if res, err := http.Get(base + "/index.html"); err == nil {
			res.Body.Close()
			return base
		}
		select {
		case err := <-exited:
			t.Fatalf("nginx stopped: %v %s", err, said())
		case <-deadline:
			t.Fatalf("nginx does not answer: %s", said())
		case <-tick.C:
		}
	}
}

// hrefs are the addresses of a page's tags, forms included.
func hrefs(t *testing.T, body string) (links, forms []string) {
	z := html.NewTokenizer(strings.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return links, forms
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			for _, a := range tok.Attr {
				switch {
				case tok.Data == "form" && a.Key == "action":
					forms = append(forms, a.Val)
				case a.Key == "href" || a.Key == "src":
					links = append(links, a.Val)
				}
			}
		}
	}
}

// TestExportServedByNginx (issue 21.3): the copy, served by nginx, has
// no broken link, holds every page of the sitemap in both languages, and
// sends forms and filtered views to the live site.
func TestExportServedByNginx(t *testing.T) {
	dir, sitemap := exported(t)
	base := startNginx(t, dir)
	get := func(u string) (int, string, string) {
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header.Get("Content-Type"), string(b)
	}

	// Every link and source inside the copy answers 200 from nginx.
	checked, pages := map[string]bool{}, 0
	queue := []string{base + "/index.html", base + "/fr/index.html"}
	for len(queue) > 0 {
		page := queue[0]
		queue = queue[1:]
		code, ctype, body := get(page)
		if code != 200 {
			t.Errorf("GET %s: %d", page, code)
			continue
		}
		if !strings.HasPrefix(ctype, "text/html") {
			continue
		}
		pages++
		links, forms := hrefs(t, body)
		for _, f := range forms {
			if !strings.HasPrefix(f, live+"/") {
				t.Errorf("%s: a form posts to %q, not to the live site", page, f)
			}
		}
		for _, l := range links {
			u, err := url.Parse(l)
			if err != nil {
				t.Errorf("%s: link %q: %v", page, l, err)
				continue
			}
			if u.Scheme != "" || u.Host != "" || u.Opaque != "" || (u.Path == "" && u.RawQuery == "") {
				continue
			}
			if strings.HasPrefix(l, "/") || u.RawQuery != "" {
				t.Errorf("%s: link %q is not relative to the copy", page, l)
				continue
			}
			p, _ := url.Parse(page)
			abs := p.ResolveReference(&url.URL{Path: u.Path}).String()
			if checked[abs] {
				continue
			}
			checked[abs] = true
			queue = append(queue, abs)
		}
	}
	if pages < 40 {
		t.Errorf("the crawl of the copy read only %d pages", pages)
	}
	t.Logf("%d pages read, %d addresses checked", pages, len(checked))

	// Every page of the sitemap is in the copy, in its language.
	for _, loc := range sitemap {
		u, _ := url.Parse(loc)
		lang := u.Query().Get("lang")
		file := strings.Trim(u.Path, "/")
		if file != "" {
			file += "/"
		}
		if lang == "fr" {
			file = "fr/" + file
		}
		code, _, body := get(base + "/" + file + "index.html")
		if code != 200 || !strings.Contains(body, fmt.Sprintf(`<html lang="%s"`, lang)) {
			t.Errorf("sitemap %s: /%sindex.html answers %d, in the wrong language or not at all", loc, file, code)
		}
	}

	// The list of organisations has its second page, and a filter leads to
	// the live site.
	_, _, first := get(base + "/organisations/index.html")
	if links, _ := hrefs(t, first); !slices.Contains(links, "../organisations/page-2.html") {
		t.Errorf("the directory's first page does not link to its second in the copy: %q", links)
	}
	if code, _, body := get(base + "/organisations/page-2.html"); code != 200 || !strings.Contains(body, "Organisation") {
		t.Errorf("the directory's second page: %d", code)
	}
	if code, _, body := get(base + "/actions/index.html"); code != 200 || !strings.Contains(body, `action="`+live+`/actions?lang=en"`) {
		t.Errorf("the list of actions: %d, or its filters do not ask the live site", code)
	}
	// The stylesheet is linked by its fingerprinted name, which the copy
	// keeps: it must be there and be CSS.
	_, _, homeEN := get(base + "/index.html")
	links, _ := hrefs(t, homeEN)
	css := slices.IndexFunc(links, func(l string) bool { return strings.HasPrefix(l, "static/css/app.") && strings.HasSuffix(l, ".css") })
	if css < 0 {
		t.Errorf("the home page links no stylesheet: %q", links)
	} else if code, ctype, _ := get(base + "/" + links[css]); code != 200 || !strings.HasPrefix(ctype, "text/css") {
		t.Errorf("the stylesheet %s: %d %s", links[css], code, ctype)
	}
	_, _, home := get(base + "/fr/index.html")
	if !strings.Contains(home, `action="`+live+`/?lang=fr"`) {
		i := strings.Index(home, "<form")
		t.Errorf("the French home's choice of cycle does not ask the live site: %.200s", home[max(i, 0):])
	}
	if !strings.Contains(home, `href="`+live+`/signin?lang=fr"`) {
		t.Errorf("the French home's sign-in link does not lead to the live site in French")
	}
	if !strings.Contains(home, `href="../index.html"`) && !strings.Contains(home, `href="../index.html?`) {
		t.Errorf("the French home has no link to the English one")
	}
}

// TestExportedDashboardInBrowser (issue 21.3): a browser opening the copy
// from nginx sees the dashboard's charts and tables, styled by the copy's
// stylesheet.
func TestExportedDashboardInBrowser(t *testing.T) {
	dir, _ := exported(t)
	base := startNginx(t, dir)
	ctx := testutil.Browser(t)
	testutil.Must(t, chromedp.Do(ctx, chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("figure.chart-figure svg")), chromedp.WaitVisible(chromedp.CSS("table.data"))))
	count := func(js string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
		testutil.Must(t, err)
		return n
	}
	rules := count(`[...document.styleSheets].reduce((n, s) => n + s.cssRules.length, 0)`)
	svgs := count(`document.querySelectorAll('figure.chart-figure svg').length`)
	tables := count(`document.querySelectorAll('table.data').length`)
	if rules < 20 || svgs < 2 || tables < 2 {
		t.Errorf("the copy's dashboard: %d style rules, %d charts, %d tables", rules, svgs, tables)
	}
	testutil.Screenshot(t, ctx, "export-dashboard")
}
