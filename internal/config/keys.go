package config

import (
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/store/dburl"
)

// field is one key, bound to its place in one Config.
type field struct {
	key    string // dotted YAML key
	env    string // environment variable
	help   string
	secret bool
	ptr    any // *string, *bool, *int, *time.Duration, *[]string or *[]int
}

// fields lists the keys of c in the order of its struct fields, each bound
// to c so that get and set read and write c itself.
func fields(c *Config) []field {
	return appendFields(nil, reflect.ValueOf(c).Elem(), "")
}

func appendFields(out []field, v reflect.Value, prefix string) []field {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		key := prefix + sf.Tag.Get("key")
		if sf.Type.Kind() == reflect.Struct {
			out = appendFields(out, v.Field(i), key+".")
			continue
		}
		out = append(out, field{key: key, env: envName(key), help: sf.Tag.Get("help"),
			secret: sf.Tag.Get("secret") == "true", ptr: v.Field(i).Addr().Interface()})
	}
	return out
}

// envName is the variable of a key: PCT_ and the key in capitals, its dots
// made underscores (mail.smtp.host is PCT_MAIL_SMTP_HOST).
func envName(key string) string {
	return "PCT_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// get formats the value as set would read it.
func (f field) get() string {
	switch p := f.ptr.(type) {
	case *string:
		return *p
	case *bool:
		return strconv.FormatBool(*p)
	case *int:
		return strconv.Itoa(*p)
	case *time.Duration:
		return p.String()
	case *[]string:
		return strings.Join(*p, ",")
	case *[]int:
		s := make([]string, len(*p))
		for i, n := range *p {
			s[i] = strconv.Itoa(n)
		}
		return strings.Join(s, ",")
	}
	panic(fmt.Sprintf("config: %s has a type no key may have yet", f.key))
}

// set reads one value. Its error says what is wrong with the value; the
// caller names the key and where the value came from.
func (f field) set(v string) error {
	switch p := f.ptr.(type) {
	case *string:
		*p = v
	case *bool:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		*p = b
	case *int:
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", v)
		}
		*p = n
	case *time.Duration:
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%q is not a duration such as 30s or 2m", v)
		}
		*p = d
	case *[]string:
		*p = list(v)
	case *[]int:
		return setDays(p, v)
	default:
		panic(fmt.Sprintf("config: %s has a type no key may have yet", f.key))
	}
	return nil
}

// list reads a comma-separated list, blanks dropped.
func list(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// setDays reads the one list of numbers, scheduler.reminder_days, whose
// range is checked here so that the error names where the value came from.
func setDays(p *[]int, v string) error {
	var days []int
	for _, s := range strings.Split(v, ",") {
		d, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || d < 0 || d > 365 {
			return fmt.Errorf("%q is not a list of days between 0 and 365, such as 30,7,1", v)
		}
		days = append(days, d)
	}
	*p = days
	return nil
}

// Print writes the effective configuration as YAML-like lines, secrets
// masked, each with its environment variable.
func (c Config) Print(w io.Writer) {
	for _, f := range fields(&c) {
		v := f.get()
		if _, list := f.ptr.(*[]string); f.secret && list && v != "" {
			// a list of URLs (replicas): each masked
			parts := strings.Split(v, ",")
			for i, p := range parts {
				parts[i] = dburl.Mask(p)
			}
			v = strings.Join(parts, ",")
		} else if f.secret && strings.Contains(v, "://") {
			v = dburl.Mask(v)
		} else if f.secret && v != "" {
			v = "***"
		}
		fmt.Fprintf(w, "%-24s %-32q # %s\n", f.key+":", v, f.env)
	}
}

// Keys lists every key with its env name and help, for documentation tests.
func Keys() []struct{ Key, Env, Help, Default string } {
	def := Default()
	var out []struct{ Key, Env, Help, Default string }
	for _, f := range fields(&def) {
		out = append(out, struct{ Key, Env, Help, Default string }{f.key, f.env, f.help, f.get()})
	}
	return out
}
