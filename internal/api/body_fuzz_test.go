package api_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/pctracker/pctracker/internal/apptest"
)

// Encodings a fuzzed body is sent in: as it is, or its text re-encoded with
// the byte-order marks and widths that JSON does not allow (RFC 8259 is
// UTF-8 only) but that clients and editors produce.
const (
	asIs = iota
	utf8BOM
	utf16LE
	utf16BE
	utf32LE
	utf32BE
	utf16NoBOM
	encodings
)

// encode re-encodes body, read as UTF-8 (invalid bytes as U+FFFD), in one
// of the encodings above.
func encode(body []byte, encoding uint8) []byte {
	var out bytes.Buffer
	switch encoding % encodings {
	case asIs:
		return body
	case utf8BOM:
		return append([]byte("\xef\xbb\xbf"), body...)
	case utf16LE, utf16BE, utf16NoBOM:
		var order binary.AppendByteOrder = binary.LittleEndian
		if encoding%encodings == utf16BE {
			order = binary.BigEndian
		}
		units := utf16.Encode([]rune(string(body)))
		if encoding%encodings != utf16NoBOM {
			units = append([]uint16{0xfeff}, units...)
		}
		for _, u := range units {
			out.Write(order.AppendUint16(nil, u))
		}
	case utf32LE, utf32BE:
		var order binary.AppendByteOrder = binary.LittleEndian
		if encoding%encodings == utf32BE {
			order = binary.BigEndian
		}
		for _, r := range append([]rune{0xfeff}, []rune(string(body))...) {
			out.Write(order.AppendUint32(nil, uint32(r)))
		}
	}
	return out.Bytes()
}

// repeatsKey reports whether a JSON text gives a key twice in one object,
// keys compared as encoding/json matches them to fields (strings.EqualFold),
// and how many objects and arrays deep it nests. It reads the text its own
// way, recursively, to check the server's reading.
func repeatsKey(text []byte) (repeated bool, depth int) {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var value func(level int) bool
	value = func(level int) bool {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if d, ok := tok.(json.Delim); ok && (d == '{' || d == '[') && level+1 > depth {
			depth = level + 1
		}
		switch tok {
		case json.Delim('{'):
			var keys []string
			for dec.More() {
				tok, err := dec.Token()
				if err != nil {
					return false
				}
				key, _ := tok.(string)
				for _, k := range keys {
					if strings.EqualFold(k, key) {
						repeated = true
					}
				}
				keys = append(keys, key)
				if !value(level + 1) {
					return false
				}
			}
			_, err = dec.Token()
			return err == nil
		case json.Delim('['):
			for dec.More() {
				if !value(level + 1) {
					return false
				}
			}
			_, err = dec.Token()
			return err == nil
		}
		return true
	}
	value(0)
	return repeated, depth
}

// maxJSONDepth is how many objects and arrays deep the API reads a body.
const maxJSONDepth = 32

// jsonBodySeeds are bodies with repeated keys at every depth, and the
// shapes that trip decoders: odd numbers, escapes, invalid UTF-8 and deep
// nesting.
var jsonBodySeeds = []string{
	apptest.NewActionBody,
	`{"version": 1, "title": "Renamed"}`,
	`{"cycle": 2026, "title": "a", "title": "b"}`,
	`{"version": 1, "title": "a", "Title": "b"}`,
	`{"version": 1, "\u0074itle": "a", "title": "b"}`,
	`{"version": 1, "scope": "national", "\u017fcope": "regional"}`,
	`{"version": 1, "evidence": [{"kind": "law", "url": "https://example.org/a", "url": "https://evil.example", "title": "A"}]}`,
	`{"version": 1, "evidence": [{"kind": "law", "url": "https://example.org/a", "title": "A"}, {"kind": "law", "KIND": "x"}]}`,
	`{"version": 1, "version": 2}`,
	`{"version": 1, "recommendations": [1, 2], "recommendations": [3]}`,
	`{"cycle": 1e999, "version": 99999999999999999999999999999999, "recommendations": [1e-999, -0, 0.5e1]}`,
	`{"version": 1, "title": "\ud800\udc00 \ud800 \u0000 \uffff"}`,
	"{\"version\": 1, \"title\": \"\xff\xfe invalid \xc3\x28 utf-8\"}",
	"{\"version\": 1, \"ti\xfftle\": \"a\", \"ti\xfetle\": \"b\"}",
	`{"version": 1, "title": ` + strings.Repeat("[", 33) + strings.Repeat("]", 33) + `}`,
	`{"version": 1, "title": ` + strings.Repeat(`{"a":`, 40) + `1` + strings.Repeat("}", 40) + `}`,
	strings.Repeat("[", 20000) + strings.Repeat("]", 20000),
	`{"version": 1}{"version": 1}`,
	`{"version": 1,}`,
	``,
}

// FuzzJSONBody sends arbitrary bytes, in odd encodings, as the JSON body
// of a member's create or edit. Whatever they are, the server never
// answers 5xx; a refusal is a 4xx with the JSON error body and changes
// nothing; a JSON text that repeats a key in one object, or nests deeper
// than the API reads, is refused with 400; and a success is what it says.
func FuzzJSONBody(f *testing.F) {
	// Each seed once, as it is; the committed corpus holds the encodings.
	for i, s := range jsonBodySeeds {
		f.Add([]byte(s), uint8(asIs), i%2 == 1)
	}
	for e := uint8(utf8BOM); e < encodings; e++ {
		f.Add([]byte(jsonBodySeeds[e%2]), e, e%2 == 1)
	}
	a := newFuzzAPI(f)
	f.Fuzz(func(t *testing.T, text []byte, encoding uint8, patch bool) {
		body := encode(text, encoding)
		method, target := http.MethodPost, &url.URL{Path: "/api/v1/actions"}
		if patch {
			method, target = http.MethodPatch, &url.URL{Path: fmt.Sprintf("/api/v1/actions/%d", a.draft)}
		}
		before := a.state(t)
		r := a.do(t, method, target, body)
		if repeated, depth := repeatsKey(body); json.Valid(body) && (repeated || depth > maxJSONDepth) && r.Status != http.StatusBadRequest {
			t.Fatalf("%s (a key repeated: %v; %d levels deep) answered %d, want 400: %s", method, repeated, depth, r.Status, r.Body)
		}
		switch {
		case r.Status == http.StatusCreated && !patch:
			var created apptest.ActionJSON
			if err := json.Unmarshal([]byte(r.Body), &created); err != nil || created.ID == 0 || created.State != "draft" {
				t.Fatalf("created: %s", r.Body)
			}
			if err := a.s.Actions.Delete(context.Background(), a.member, created.ID); err != nil {
				t.Fatalf("delete the created draft: %v", err)
			}
		case r.Status == http.StatusOK && patch:
			var saved apptest.ActionJSON
			if err := json.Unmarshal([]byte(r.Body), &saved); err != nil || saved.ID != a.draft || saved.Version != 2 {
				t.Fatalf("saved: %s", r.Body)
			}
			if err := a.s.Actions.Delete(context.Background(), a.member, a.draft); err != nil {
				t.Fatalf("delete the edited draft: %v", err)
			}
			a.draft = a.s.Action(t, a.org, a.open).ID
		case r.Status >= 400 && r.Status < 500:
			wantJSONError(t, method, r)
			if after := a.state(t); after != before {
				t.Fatalf("a refused %s (%d %s) changed the actions", method, r.Status, r.Body)
			}
		default:
			t.Fatalf("%s answered %d: %s", method, r.Status, r.Body)
		}
	})
}
