package config

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Error is a configuration problem tied to one key. It prints as one line.
type Error struct {
	Key    string
	Source string // "file PATH", "env PCT_X" or "flag --x"
	Msg    string
}

func (e *Error) Error() string {
	if e.Source != "" {
		return fmt.Sprintf("config: %s (from %s): %s", e.Key, e.Source, e.Msg)
	}
	return fmt.Sprintf("config: %s: %s", e.Key, e.Msg)
}

// Load builds the configuration: defaults, then the YAML file at path (if
// path is not empty), then the environment read through getenv. It validates
// the result, and a wrong value's error says where the value came from.
func Load(path string, getenv func(string) string) (Config, error) {
	c := Default()
	from := map[string]string{} // key -> the source that set it last
	if path != "" {
		if err := c.applyFile(path, from); err != nil {
			return Config{}, err
		}
	}
	for _, f := range fields(&c) {
		if v, ok := lookup(getenv, f.env); ok {
			if err := f.set(v); err != nil {
				return Config{}, &Error{Key: f.key, Source: "env " + f.env, Msg: err.Error()}
			}
			from[f.key] = "env " + f.env
		}
	}
	if err := c.Validate(); err != nil {
		var ce *Error
		if errors.As(err, &ce) {
			ce.Source = from[ce.Key]
		}
		return Config{}, err
	}
	return c, nil
}

// lookup treats an empty variable as unset, as shells and compose files
// commonly export empty values.
func lookup(getenv func(string) string, name string) (string, bool) {
	v := getenv(name)
	return v, v != ""
}

// applyFile sets the keys the file names, in sorted order so that the first
// wrong one reported is always the same, and records them in from.
func (c *Config) applyFile(path string, from map[string]string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return &Error{Key: "config", Source: "file " + path, Msg: err.Error()}
	}
	var tree map[string]any
	if err := yaml.Unmarshal(data, &tree); err != nil {
		return &Error{Key: "config", Source: "file " + path, Msg: "not valid YAML: " + oneLine(err.Error())}
	}
	flat := map[string]string{}
	flatten("", tree, flat)
	byKey := map[string]field{}
	for _, f := range fields(c) {
		byKey[f.key] = f
	}
	keys := make([]string, 0, len(flat))
	for k := range flat {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f, ok := byKey[k]
		if !ok {
			return &Error{Key: k, Source: "file " + path, Msg: "unknown key"}
		}
		if err := f.set(flat[k]); err != nil {
			return &Error{Key: k, Source: "file " + path, Msg: err.Error()}
		}
		from[k] = "file " + path
	}
	return nil
}

// flatten turns the YAML tree into dotted keys and the text of their
// values, which each key then reads as it reads its variable.
func flatten(prefix string, v any, out map[string]string) {
	switch t := v.(type) {
	case map[string]any:
		for k, child := range t {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			flatten(key, child, out)
		}
	case nil:
		out[prefix] = ""
	default:
		out[prefix] = fmt.Sprint(t)
	}
}

// Set applies one key by name, as from a command-line flag.
func (c *Config) Set(key, value, source string) error {
	for _, f := range fields(c) {
		if f.key == key {
			if err := f.set(value); err != nil {
				return &Error{Key: key, Source: source, Msg: err.Error()}
			}
			err := c.Validate()
			var ce *Error
			if errors.As(err, &ce) && ce.Key == key {
				ce.Source = source
			}
			return err
		}
	}
	return &Error{Key: key, Msg: "unknown key"}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
