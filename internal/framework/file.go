package framework

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/recommendation"
)

// The crosswalk file: YAML, a list of frameworks under "frameworks", each
// with key, title {en, fr}, fr_unofficial, issued, source and provisions;
// each provision with key, title {en, fr}, recommendations and
// confidence. Comments inside a framework or a provision are its note,
// and are written back as comments: the compiler's words on what could
// not be verified travel with the data.

// MaxFileErrors caps the problems one reading lists.
const MaxFileErrors = 50

// FileError is a problem at a line of a crosswalk file.
type FileError struct {
	Line    int
	Message string
}

func (e FileError) String() string {
	if e.Line == 0 {
		return e.Message
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Message)
}

// fileErrors gathers the problems of a file, in the order of its lines.
type fileErrors []FileError

func (fe *fileErrors) add(line int, format string, args ...any) {
	*fe = append(*fe, FileError{Line: line, Message: fmt.Sprintf(format, args...)})
}

func (fe fileErrors) err() error {
	if len(fe) == 0 {
		return nil
	}
	sort.SliceStable(fe, func(i, j int) bool { return fe[i].Line < fe[j].Line })
	shown := fe[:min(len(fe), MaxFileErrors)]
	lines := make([]string, len(shown))
	for i, e := range shown {
		lines[i] = e.String()
	}
	msg := "the crosswalk file is not valid; nothing was imported:\n" + strings.Join(lines, "\n")
	if len(fe) > len(shown) {
		msg += fmt.Sprintf("\n... and %d more", len(fe)-len(shown))
	}
	return errs.WithDetails(errs.E(errs.Invalid, "%s", msg), map[string]any{"lines": shown})
}

// yamlLine finds the line yaml.v3 names in a syntax error.
var yamlLine = regexp.MustCompile(`line (\d+)`)

// Parse reads a crosswalk file. known lists the recommendation numbers
// that exist. Every problem is named with its line; nothing is returned
// unless the whole file is right.
func Parse(data []byte, known []int) (Crosswalk, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		var fe fileErrors
		line := 0
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = strings.TrimPrefix(yamlLine.ReplaceAllString(msg, ""), ": ")
		fe.add(line, "%s", msg)
		return Crosswalk{}, fe.err()
	}
	var fe fileErrors
	if len(doc.Content) == 0 {
		fe.add(0, "the file is empty")
		return Crosswalk{}, fe.err()
	}
	root := doc.Content[0]
	var list *yaml.Node
	each(root, &fe, "the file", func(key string, k, v *yaml.Node) {
		if key == "frameworks" {
			list = v
		} else {
			fe.add(k.Line, "unknown field %q (the file holds frameworks)", key)
		}
	})
	if list == nil && len(fe) == 0 {
		fe.add(root.Line, "the file has no frameworks list")
	}
	var cw Crosswalk
	if list != nil && expect(list, yaml.SequenceNode, "frameworks", "a list", &fe) {
		keys := map[string]int{}
		for i, n := range list.Content {
			f := parseFramework(n, known, &fe)
			f.Position = i
			if prev, dup := keys[f.Key]; dup && f.Key != "" {
				fe.add(n.Line, "framework %q is already at line %d", f.Key, prev)
			}
			keys[f.Key] = n.Line
			cw.Frameworks = append(cw.Frameworks, f)
		}
	}
	if err := fe.err(); err != nil {
		return Crosswalk{}, err
	}
	return cw, nil
}

// each calls fn for each key of a mapping node.
func each(n *yaml.Node, fe *fileErrors, what string, fn func(key string, k, v *yaml.Node)) {
	if !expect(n, yaml.MappingNode, what, "a mapping of fields", fe) {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		fn(n.Content[i].Value, n.Content[i], n.Content[i+1])
	}
}

func expect(n *yaml.Node, kind yaml.Kind, what, want string, fe *fileErrors) bool {
	if n.Kind != kind {
		fe.add(n.Line, "%s must be %s", what, want)
		return false
	}
	return true
}

func scalar(n *yaml.Node, what string, fe *fileErrors) string {
	if !expect(n, yaml.ScalarNode, what, "a text", fe) {
		return ""
	}
	return n.Value
}

func parseTitle(n *yaml.Node, what string, fe *fileErrors) recommendation.Text {
	var t recommendation.Text
	each(n, fe, what, func(key string, k, v *yaml.Node) {
		switch key {
		case "en":
			t.EN = oneLine(scalar(v, what+".en", fe))
		case "fr":
			t.FR = oneLine(scalar(v, what+".fr", fe))
		default:
			fe.add(k.Line, "unknown field %q in %s (en, fr)", key, what)
		}
	})
	return t
}

// fieldErrors turns a domain validation error into lines: each field's
// message at the line of its field.
func fieldErrors(err error, at map[string]int, line int, what string, fe *fileErrors) {
	fields := errs.FieldsOf(err)
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		l := line
		if n, ok := at[k]; ok {
			l = n
		}
		name := strings.NewReplacer("title_en", "title.en", "title_fr", "title.fr").Replace(k)
		fe.add(l, "%s: %s: %s", what, name, fields[k])
	}
}

func parseFramework(n *yaml.Node, known []int, fe *fileErrors) Framework {
	var f Framework
	var in FrameworkInput
	at := map[string]int{}
	var provisions *yaml.Node
	each(n, fe, "a framework", func(key string, k, v *yaml.Node) {
		at[key] = k.Line
		switch key {
		case "key":
			f.Key = scalar(v, "key", fe)
		case "title":
			t := parseTitle(v, "title", fe)
			in.TitleEN, in.TitleFR = t.EN, t.FR
			at["title_en"], at["title_fr"] = k.Line, k.Line
		case "fr_unofficial":
			if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" {
				fe.add(v.Line, "fr_unofficial must be true or false")
			}
			in.FRUnofficial = v.Value == "true"
		case "issued":
			day, err := date.Parse(scalar(v, "issued", fe))
			if err != nil {
				fe.add(v.Line, "issued: %v", err)
			} else {
				in.Issued = &day
			}
		case "source":
			in.Source = scalar(v, "source", fe)
		case "provisions":
			provisions = v
		default:
			fe.add(k.Line, "unknown field %q in a framework", key)
		}
	})
	if n.Kind != yaml.MappingNode {
		return f
	}
	what := "framework"
	if f.Key != "" {
		what = fmt.Sprintf("framework %q", f.Key)
	}
	if msg := validKey(f.Key); msg != "" {
		fe.add(n.Line, "%s: key %s", what, msg)
	}
	in.Note = noteOf(n, "provisions")
	in.Normalize()
	if err := in.Validate(); err != nil {
		fieldErrors(err, at, n.Line, what, fe)
	}
	f.Title = recommendation.Text{EN: in.TitleEN, FR: in.TitleFR}
	f.FRUnofficial, f.Issued, f.Source, f.Note = in.FRUnofficial, in.Issued, in.Source, in.Note
	if provisions == nil {
		fe.add(n.Line, "%s has no provisions list", what)
		return f
	}
	if !expect(provisions, yaml.SequenceNode, "provisions", "a list", fe) {
		return f
	}
	keys := map[string]int{}
	for i, pn := range provisions.Content {
		p := parseProvision(pn, what, known, fe)
		p.Position = i
		if prev, dup := keys[p.Key]; dup && p.Key != "" {
			fe.add(pn.Line, "%s: provision %q is already at line %d", what, p.Key, prev)
		}
		keys[p.Key] = pn.Line
		p.FrameworkKey = f.Key
		f.Provisions = append(f.Provisions, p)
	}
	return f
}

func parseProvision(n *yaml.Node, framework string, known []int, fe *fileErrors) Provision {
	var p Provision
	var in ProvisionInput
	at := map[string]int{}
	sawRecs, sawConfidence := false, false
	each(n, fe, "a provision", func(key string, k, v *yaml.Node) {
		at[key] = k.Line
		switch key {
		case "key":
			p.Key = scalar(v, "key", fe)
		case "title":
			t := parseTitle(v, "title", fe)
			in.TitleEN, in.TitleFR = t.EN, t.FR
			at["title_en"], at["title_fr"] = k.Line, k.Line
		case "recommendations":
			sawRecs = true
			if !expect(v, yaml.SequenceNode, "recommendations", "a list of numbers, such as [1, 4] or []", fe) {
				return
			}
			for _, e := range v.Content {
				num, err := strconv.Atoi(e.Value)
				if e.Kind != yaml.ScalarNode || err != nil {
					fe.add(e.Line, "recommendations must be numbers, not %q", e.Value)
					continue
				}
				in.Recommendations = append(in.Recommendations, num)
			}
		case "confidence":
			sawConfidence = true
			in.Confidence = Confidence(scalar(v, "confidence", fe))
		default:
			fe.add(k.Line, "unknown field %q in a provision", key)
		}
	})
	if n.Kind != yaml.MappingNode {
		return p
	}
	what := framework + ", provision"
	if p.Key != "" {
		what = fmt.Sprintf("%s, provision %q", framework, p.Key)
	}
	if msg := validKey(p.Key); msg != "" {
		fe.add(n.Line, "%s: key %s", what, msg)
	}
	if !sawRecs {
		fe.add(n.Line, "%s has no recommendations (write [] for none)", what)
	}
	if !sawConfidence {
		fe.add(n.Line, "%s has no confidence (high or medium)", what)
	}
	in.Note = noteOf(n, "")
	in.Normalize()
	if err := in.Validate(known); err != nil {
		if !sawConfidence { // said above already
			delete(errs.FieldsOf(err), "confidence")
		}
		fieldErrors(err, at, n.Line, what, fe)
	}
	p.Title = recommendation.Text{EN: in.TitleEN, FR: in.TitleFR}
	p.Recommendations, p.Confidence, p.Note = in.Recommendations, in.Confidence, in.Note
	return p
}

// noteOf gathers the comments of a mapping's own keys and values, in
// order, without "#": a framework's note stops at its provisions list
// (stop), whose items keep their own.
func noteOf(n *yaml.Node, stop string) string {
	var lines []string
	add := func(c string) {
		for _, l := range strings.Split(c, "\n") {
			l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "#"))
			if l != "" && strings.Trim(l, "-=#*") == "" {
				continue // a rule between entries, not a note
			}
			lines = append(lines, l)
		}
	}
	for _, c := range []string{n.HeadComment, n.LineComment} {
		if c != "" {
			add(c)
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		for _, c := range []string{k.HeadComment, k.LineComment} {
			if c != "" {
				add(c)
			}
		}
		if k.Value == stop {
			break
		}
		for _, c := range []string{v.HeadComment, v.LineComment, k.FootComment, v.FootComment} {
			if c != "" {
				add(c)
			}
		}
		if v.Kind == yaml.MappingNode { // a title's en and fr
			for _, c := range v.Content {
				for _, s := range []string{c.HeadComment, c.LineComment, c.FootComment} {
					if s != "" {
						add(s)
					}
				}
			}
		}
	}
	// Blank lines inside are kept as paragraph breaks; not around.
	return strings.TrimSpace(strings.Join(slices.CompactFunc(lines, func(a, b string) bool { return a == "" && b == "" }), "\n"))
}

// header opens every exported file.
const header = `pctracker crosswalk: the provisions of other frameworks on commercial
spyware and the Paris Call recommendations each one evidences.
Written by "pctracker crosswalk export"; read by "pctracker crosswalk import".
Provision titles are short paraphrases, not official wording; a framework's
French title is pctracker's translation where fr_unofficial is true. A
comment inside a framework or a provision is its note.`

// Encode writes cw as a crosswalk file that Parse reads back to the same
// data.
func Encode(cw Crosswalk) ([]byte, error) {
	str := func(s string) *yaml.Node {
		n := &yaml.Node{Kind: yaml.ScalarNode, Value: s, Tag: "!!str"}
		if strings.ContainsAny(s, ":#'\"{}[],&*!|>%@`") || s != strings.TrimSpace(s) || looksTyped(s) {
			n.Style = yaml.DoubleQuotedStyle
		}
		return n
	}
	pair := func(m *yaml.Node, key string, v *yaml.Node) *yaml.Node {
		k := &yaml.Node{Kind: yaml.ScalarNode, Value: key, Tag: "!!str"}
		m.Content = append(m.Content, k, v)
		return k
	}
	title := func(t recommendation.Text) *yaml.Node {
		m := &yaml.Node{Kind: yaml.MappingNode}
		pair(m, "en", str(t.EN))
		pair(m, "fr", str(t.FR))
		return m
	}
	frameworks := &yaml.Node{Kind: yaml.SequenceNode}
	for _, f := range cw.Frameworks {
		m := &yaml.Node{Kind: yaml.MappingNode}
		pair(m, "key", str(f.Key))
		pair(m, "title", title(f.Title))
		if f.FRUnofficial {
			pair(m, "fr_unofficial", &yaml.Node{Kind: yaml.ScalarNode, Value: "true", Tag: "!!bool"})
		}
		if f.Issued != nil {
			pair(m, "issued", &yaml.Node{Kind: yaml.ScalarNode, Value: f.Issued.Format(time.DateOnly), Tag: "!!str"})
		}
		if f.Source != "" {
			pair(m, "source", str(f.Source))
		}
		provisions := &yaml.Node{Kind: yaml.SequenceNode}
		k := pair(m, "provisions", provisions)
		k.HeadComment = comment(f.Note)
		for _, p := range f.Provisions {
			pm := &yaml.Node{Kind: yaml.MappingNode}
			pm.HeadComment = comment(p.Note)
			pair(pm, "key", str(p.Key))
			pair(pm, "title", title(p.Title))
			recs := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
			for _, n := range p.Recommendations {
				recs.Content = append(recs.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: strconv.Itoa(n), Tag: "!!int"})
			}
			pair(pm, "recommendations", recs)
			pair(pm, "confidence", str(string(p.Confidence)))
			provisions.Content = append(provisions.Content, pm)
		}
		frameworks.Content = append(frameworks.Content, m)
	}
	root := &yaml.Node{Kind: yaml.MappingNode, HeadComment: comment(header)}
	pair(root, "frameworks", frameworks)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "write the crosswalk file")
	}
	return buf.Bytes(), enc.Close()
}

// comment turns a note into the text of a YAML comment, "# " on each line.
func comment(note string) string {
	if note == "" {
		return ""
	}
	lines := strings.Split(note, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight("# "+l, " ")
	}
	return strings.Join(lines, "\n")
}

// looksTyped reports whether a plain YAML scalar s would read as something
// other than text (a number, a boolean, null).
func looksTyped(s string) bool {
	var v any
	if err := yaml.Unmarshal([]byte(s), &v); err != nil {
		return true
	}
	_, isString := v.(string)
	return !isString
}
