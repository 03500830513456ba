package site

import (
	"strings"
)

// rule is one Allow or Disallow line of robots.txt's group for every
// crawler.
type rule struct {
	prefix string
	allow  bool
}

// parseRobots reads the rules of the "User-agent: *" group. The site uses
// them to say which pages are its interactive surfaces (signing in,
// resetting a password) rather than its public content.
func parseRobots(text string) []rule {
	var rules []rule
	inGroup := false
	for _, line := range strings.Split(text, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key, val = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(val)
		switch key {
		case "user-agent":
			inGroup = val == "*"
		case "allow", "disallow":
			if inGroup && val != "" {
				rules = append(rules, rule{prefix: val, allow: key == "allow"})
			}
		}
	}
	return rules
}

// disallowed applies the rules as crawlers do: the longest matching
// prefix decides, and Allow wins a tie.
func (c *crawler) disallowed(path string) bool {
	best, allow := -1, true
	for _, r := range c.disallow {
		if !strings.HasPrefix(path, r.prefix) || len(r.prefix) < best {
			continue
		}
		if len(r.prefix) > best || r.allow {
			best, allow = len(r.prefix), r.allow
		}
	}
	return !allow
}
