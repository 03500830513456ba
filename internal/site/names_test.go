package site

import "testing"

func TestRelativeLinks(t *testing.T) {
	for _, c := range []struct{ from, to, want string }{
		{"index.html", "actions/index.html", "actions/index.html"},
		{"actions/12/index.html", "static/css/app.css", "../../static/css/app.css"},
		{"fr/index.html", "index.html", "../index.html"},
		{"frameworks/index.html", "frameworks/pall mall/index.html", "../frameworks/pall%20mall/index.html"},
	} {
		if got := relative(c.from, c.to); got != c.want {
			t.Errorf("relative(%q, %q) = %q, want %q", c.from, c.to, got, c.want)
		}
	}
}

func TestRobotsRules(t *testing.T) {
	c := &crawler{disallow: parseRobots("User-agent: other\nDisallow: /\n\nUser-agent: *\nAllow: /api/v1/open-data/\nAllow: /\nDisallow: /signin # forms\nDisallow: /api/\n")}
	for path, want := range map[string]bool{
		"/": false, "/actions": false, "/signin": true, "/signin/code": true,
		"/api/v1/dashboard": true, "/api/v1/open-data/actions.csv": false,
	} {
		if got := c.disallowed(path); got != want {
			t.Errorf("disallowed(%q) = %v, want %v", path, got, want)
		}
	}
}
