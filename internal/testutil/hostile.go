package testutil

import (
	"fmt"
	"testing"

	"github.com/pctracker/pctracker/internal/store"
)

// HostileText lists values that no text field of any input may hold, on
// any surface: bytes that are not UTF-8, control characters that are not
// whitespace, and the bidirectional overrides and isolates. Tests put each
// inside an otherwise valid value of every text field. (Whitespace such as
// tabs and line breaks is folded into a space in one-line fields, so it is
// tested where it matters, not here.)
var HostileText = []struct{ Name, Value string }{
	{"invalid byte", "\xff"},
	{"Latin-1 byte", "Caf\xe9"},
	{"truncated sequence", "\xc3"},
	{"overlong slash", "\xc0\xaf"},
	{"encoded surrogate", "\xed\xa0\x80"},
	{"NUL", "\x00"},
	{"bell", "\a"},
	{"escape", "\x1b[2J"},
	{"DEL", "\x7f"},
	{"C1 CSI", "\u009b"},
	{"LRE", "\u202a"},
	{"RLE", "\u202b"},
	{"PDF", "\u202c"},
	{"LRO", "\u202d"},
	{"RLO", "\u202e"},
	{"LRI", "\u2066"},
	{"RLI", "\u2067"},
	{"FSI", "\u2068"},
	{"PDI", "\u2069"},
}

// Writes fingerprints what any input could have written: the rows of every
// table a service writes to, and the versions of what is edited in place.
// A refused input leaves it as it was.
func Writes(t testing.TB, db *store.DB) string {
	t.Helper()
	var n [15]int64
	err := db.SQL().QueryRow(`SELECT
		(SELECT count(*) FROM stakeholders), (SELECT coalesce(sum(version), 0) FROM stakeholders),
		(SELECT count(*) FROM users), (SELECT count(*) FROM api_tokens), (SELECT count(*) FROM account_tokens),
		(SELECT count(*) FROM cycles), (SELECT coalesce(sum(version), 0) FROM cycles), (SELECT count(*) FROM deadline_extensions),
		(SELECT count(*) FROM actions), (SELECT coalesce(sum(version), 0) FROM actions), (SELECT count(*) FROM action_versions),
		(SELECT count(*) FROM evidence), (SELECT count(*) FROM review_events), (SELECT count(*) FROM audit_log),
		(SELECT count(*) FROM reminders)`).Scan(&n[0], &n[1], &n[2], &n[3], &n[4], &n[5], &n[6], &n[7], &n[8], &n[9], &n[10],
		&n[11], &n[12], &n[13], &n[14])
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(n)
}
