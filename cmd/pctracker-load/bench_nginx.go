package main

// P1 ratio: pctracker's throughput beside nginx serving the same bytes.

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// fetch GETs path of base as the load driver's scenario does, and returns
// the body and the header.
func fetch(ctx context.Context, base, path, accept string) ([]byte, http.Header, error) {
	t := newTarget(base, requestTimeout, 1)
	defer t.client.CloseIdleConnections()
	req := t.newRequest(ctx, http.MethodGet, path, nil)
	req.Header.Set("Accept", accept)
	if accept == acceptHTML {
		req.Header.Set("Accept-Language", "en")
	}
	resp, body, err := t.exchange(req)
	if _, fail := judge(resp, body, err, http.StatusOK); fail != "" {
		return nil, nil, fmt.Errorf("GET %s%s: %s", base, path, fail)
	}
	return body, resp.Header, nil
}

// nginxSite is the static copy of the two dashboards that nginx serves.
type nginxSite struct {
	dir      string // holds nginx.conf, the pid and the error log
	root     string // holds the two files
	port     int
	htmlType string
	jsonType string
	root0    bool // nginx runs as root, so its compiled-in temporary folders are writable
}

// nginxConfig is the configuration of a plain, well-set static server: no
// access log, keep-alive for the whole run, sendfile, two workers.
func nginxConfig(s nginxSite) string {
	var temps string
	if !s.root0 {
		// Without root the compiled-in temporary folders are not writable.
		for _, kind := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
			temps += fmt.Sprintf("    %s_temp_path %s;\n", kind, filepath.Join(s.dir, "tmp-"+kind))
		}
	}
	return fmt.Sprintf(`daemon off;
worker_processes 2;
pid %[1]s;
error_log %[2]s warn;

events {
    worker_connections 4096;
}

http {
    access_log off;
    keepalive_requests 100000;
    keepalive_timeout 75s;
    sendfile on;
    tcp_nopush on;
    server_tokens off;
    types { }
%[3]s
    server {
        listen 127.0.0.1:%[4]d;
        root %[5]s;

        # gzip_static: a client that accepts gzip gets the .gz beside the
        # file, compressed once, as a precompressing server would answer.
        location = / {
            default_type %[6]q;
            gzip_static on;
            try_files /dashboard.html =404;
        }
        location = /api/v1/dashboard {
            default_type %[7]q;
            gzip_static on;
            try_files /dashboard.json =404;
        }
        location = /readyz {
            default_type application/json;
            return 200 '{"status":"ready"}';
        }
    }
}
`, filepath.Join(s.dir, "nginx.pid"), filepath.Join(s.dir, "error.log"), temps, s.port, s.root, s.htmlType, s.jsonType)
}

// usableContentType keeps a Content-Type that can go in nginx.conf as a
// quoted string, else fallback.
func usableContentType(ct, fallback string) string {
	if ct == "" || strings.ContainsAny(ct, "\"\\{}$\n\r") {
		return fallback
	}
	return ct
}

// ratio measures P1 against nginx: the throughput of pctracker and of
// nginx serving a copy of pctracker's answers, at the same concurrency.
func (b *bench) ratio(ctx context.Context) error {
	html, err := fetchCopy(ctx, b.base, "/", acceptHTML)
	if err != nil {
		return err
	}
	js, err := fetchCopy(ctx, b.base, "/api/v1/dashboard", acceptJSON)
	if err != nil {
		return err
	}
	if _, err := os.Stat(b.o.nginx); err != nil {
		return fmt.Errorf("nginx not found at %s: install nginx-light (or pass --nginx)", b.o.nginx)
	}
	site := nginxSite{dir: filepath.Join(b.work, "nginx"), htmlType: usableContentType(html.ctype, "text/html; charset=UTF-8"),
		jsonType: usableContentType(js.ctype, "application/json"), root0: os.Geteuid() == 0}
	site.root = filepath.Join(site.dir, "www")
	conf, err := site.write(html.body, js.body)
	if err != nil {
		return err
	}
	nginxBase, err := b.startNginx(ctx, site, conf)
	if err != nil {
		return err
	}
	defer b.stopNginx()
	if err := b.sameBytes(ctx, nginxBase, html, js); err != nil {
		return err
	}
	for _, a := range []answer{html, js} {
		if err := sameGzip(ctx, nginxBase, a.path, a.body); err != nil {
			return err
		}
	}
	b.say("nginx serves the same bytes: %d of HTML, %d of JSON, and their .gz to who accepts gzip", len(html.body), len(js.body))

	rates, trouble, err := b.ratioRates(ctx, nginxBase)
	if err != nil {
		return err
	}
	servers := []wrkServer{{serverNginx, nginxBase}, {serverPctracker, b.base}}
	for _, bare := range []struct {
		name    string
		headers bool
	}{{serverGo, false}, {serverGoHeaders, true}} {
		g, err := startGoStatic(bare.headers, html, js)
		if err != nil {
			b.say("%s could not start (%v): its rows are not measured", bare.name, err)
			continue
		}
		defer g.stop()
		servers = append(servers, wrkServer{bare.name, g.base})
	}
	if err := b.wrkRatios(ctx, servers, rates["nginx HTML"]); err != nil {
		return err
	}
	for _, r := range []struct{ id, kind string }{{"p1-ratio-html", "HTML"}, {"p1-ratio-json", "JSON"}} {
		n, pct := rates["nginx "+r.kind], rates["pctracker "+r.kind]
		note := strings.Join(append([]string{fmt.Sprintf("pctracker %.0f req/s, nginx %.0f req/s", pct, n)}, trouble[r.kind]...), "; ")
		if n <= 0 {
			b.card.notMeasured("nginx served nothing: "+note, r.id)
			continue
		}
		b.card.measured(r.id, pct/n, note)
	}
	b.note("P1 ratio: ceiling mode, %d closed-loop clients, %s warm-up then %s measured, for nginx and pctracker in turn, GET / (Accept-Language: en) and GET /api/v1/dashboard; nginx serves byte-identical copies (%d and %d bytes), 2 workers, no access log",
		ratioClients, benchWarmup, ratioDuration, len(html.body), len(js.body))
	return nil
}

// answer is one of pctracker's answers that nginx serves a copy of.
type answer struct {
	path, accept string
	body         []byte
	ctype        string      // its Content-Type
	header       http.Header // pctracker's header, as it came
}

// fetchCopy gets the answer of path from pctracker at base.
func fetchCopy(ctx context.Context, base, path, accept string) (answer, error) {
	body, header, err := fetch(ctx, base, path, accept)
	return answer{path: path, accept: accept, body: body, ctype: header.Get("Content-Type"), header: header}, err
}

// write puts the two dashboards in the site's root, where nginx's workers
// can read them, picks a free port and writes nginx.conf, whose path it
// returns.
func (s *nginxSite) write(html, jsonBody []byte) (string, error) {
	if err := os.MkdirAll(s.root, 0o755); err != nil {
		return "", err
	}
	// MkdirAll honours the umask; the workers need to read through.
	for _, d := range []string{s.dir, s.root} {
		if err := os.Chmod(d, 0o755); err != nil {
			return "", err
		}
	}
	files := map[string][]byte{"dashboard.html": html, "dashboard.json": jsonBody}
	for name, data := range map[string][]byte{"dashboard.html.gz": html, "dashboard.json.gz": jsonBody} {
		gz, err := gzipped(data)
		if err != nil {
			return "", err
		}
		files[name] = gz
	}
	for name, data := range files {
		p := filepath.Join(s.root, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return "", err
		}
		if err := os.Chmod(p, 0o644); err != nil {
			return "", err
		}
	}
	var err error
	if s.port, err = freePort(); err != nil {
		return "", err
	}
	conf := filepath.Join(s.dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(nginxConfig(*s)), 0o644); err != nil {
		return "", err
	}
	return conf, nil
}

// startNginx starts nginx on the site and returns its base URL once it
// answers. When it does not, nginx is stopped and the error carries the
// last lines nginx printed and logged.
func (b *bench) startNginx(ctx context.Context, site nginxSite, conf string) (string, error) {
	nginxOut := &tailWriter{}
	cmd := exec.Command(b.o.nginx, "-p", site.dir, "-c", conf)
	cmd.Stdout, cmd.Stderr = nginxOut, nginxOut
	var err error
	if b.nginx, err = startChild("nginx", cmd); err != nil {
		return "", err
	}
	nginxBase := fmt.Sprintf("http://127.0.0.1:%d", site.port)
	if _, err := waitReady(ctx, nginxBase, b.nginx, time.Now(), 10*time.Second); err != nil {
		errLog, _ := os.ReadFile(filepath.Join(site.dir, "error.log"))
		err = fmt.Errorf("%v: %s %s", err, strings.Join(nginxOut.lastLines(3), " | "), lastLines(string(errLog), 3))
		b.stopNginx()
		return "", err
	}
	b.say("nginx (pid %d) serves the copy on %s", b.nginx.pid(), nginxBase)
	return nginxBase, nil
}

// stopNginx stops nginx if it runs.
func (b *bench) stopNginx() {
	if b.nginx == nil {
		return
	}
	b.nginx.stop(5 * time.Second)
	b.nginx = nil
}

// sameBytes checks that nginx at nginxBase sends exactly pctracker's
// bytes: the comparison holds only then. A different Content-Type is only
// said.
func (b *bench) sameBytes(ctx context.Context, nginxBase string, answers ...answer) error {
	for _, a := range answers {
		got, header, err := fetch(ctx, nginxBase, a.path, a.accept)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, a.body) {
			return fmt.Errorf("nginx served %d bytes for %s, not pctracker's %d", len(got), a.path, len(a.body))
		}
		if ct := header.Get("Content-Type"); !strings.EqualFold(ct, a.ctype) {
			b.say("nginx labels %s %q, pctracker %q", a.path, ct, a.ctype)
		}
	}
	return nil
}

// ratioRates runs closed-loop clients against nginx and pctracker in turn,
// for the HTML and the JSON dashboard. It returns the rate of each, by
// "server kind" (as "nginx HTML"), and the errors met, by kind.
func (b *bench) ratioRates(ctx context.Context, nginxBase string) (map[string]float64, map[string][]string, error) {
	p := plan{mode: modeCeiling, concurrency: ratioClients, warmup: benchWarmup, duration: ratioDuration}
	rates := map[string]float64{}
	trouble := map[string][]string{} // by HTML or JSON
	for _, run := range []struct{ server, base, kind, scenario string }{
		{"nginx", nginxBase, "HTML", "dashboard"},
		{"pctracker", b.base, "HTML", "dashboard"},
		{"nginx", nginxBase, "JSON", "dashboard-json"},
		{"pctracker", b.base, "JSON", "dashboard-json"},
	} {
		label := run.server + " " + run.kind
		res, err := b.runOne(ctx, label, run.base, []weighted{{run.scenario, 1}}, settings{}, p)
		if err != nil {
			return nil, nil, err
		}
		s := res.row(run.scenario)
		rates[label] = s.Rate
		b.say("%s: %.0f req/s, p50 %.2f ms, p99 %.2f ms, %d errors", label, s.Rate, s.P50, s.P99, s.Errors)
		if s.Errors > 0 {
			trouble[run.kind] = append(trouble[run.kind], fmt.Sprintf("%s had %s errors", run.server, reasonText(s.Errors, s.Reasons, 2)))
		}
	}
	return rates, trouble, nil
}
