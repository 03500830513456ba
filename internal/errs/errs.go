// Package errs is the one error vocabulary of pctracker. Domain code returns
// these kinds; the server maps each kind to an HTTP status in a single place,
// and the CLI maps them to exit codes. Nothing here knows about HTTP.
package errs

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/text"
)

// Kind classifies an error by what the caller can do about it.
type Kind string

const (
	Malformed    Kind = "malformed"    // the request cannot be read at all (not JSON, wrong types)
	Invalid      Kind = "invalid"      // the input is wrong; Fields says where
	NotFound     Kind = "not_found"    // no such object, or not visible to the caller
	Conflict     Kind = "conflict"     // a duplicate, or a stale version
	Unauthorized Kind = "unauthorized" // not signed in
	Forbidden    Kind = "forbidden"    // signed in, but not allowed
	TooMany      Kind = "too_many"     // throttled
	Unavailable  Kind = "unavailable"  // a dependency is down (database, browser)
	Internal     Kind = "internal"     // a bug or an unexpected failure; details are never shown

	// Unsupported: the body is not in a format the request takes (JSON
	// endpoints read application/json only).
	Unsupported Kind = "unsupported_media_type"
)

// Error is a classified error with an optional message for people and
// field-level messages for forms and JSON clients.
type Error struct {
	Kind    Kind
	Message string
	Fields  map[string]string // field name -> message
	Err     error             // the cause, for logs only
	// RetryAfter tells a throttled caller when to try again.
	RetryAfter time.Duration
	// Details are what a client needs beside the message, such as the
	// object as it now stands after a conflict; JSON answers give each
	// beside "error".
	Details map[string]any
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Message != "" {
		b.WriteString(e.Message)
	} else {
		b.WriteString(string(e.Kind))
	}
	// An errs.Field error's message already says what its one field says.
	sameAsMessage := len(e.Fields) == 1 && e.Fields[firstKey(e.Fields)] == e.Message
	if len(e.Fields) > 0 && !sameAsMessage {
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString(": ")
		for i, k := range keys {
			if i > 0 {
				b.WriteString("; ")
			}
			fmt.Fprintf(&b, "%s: %s", k, e.Fields[k])
		}
	}
	if e.Err != nil && e.Kind != Internal {
		fmt.Fprintf(&b, " (%v)", e.Err)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

func firstKey(m map[string]string) string {
	for k := range m {
		return k
	}
	return ""
}

// E builds an error of a kind with a formatted message.
func E(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Wrap classifies a cause. The message is for people; the cause is for logs.
func Wrap(kind Kind, err error, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...), Err: err}
}

// KindOf returns the kind of err, Internal for unclassified errors and "" for nil.
func KindOf(err error) Kind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err is of kind k.
func Is(err error, k Kind) bool { return err != nil && KindOf(err) == k }

// RetryAfterOf returns how long a throttled caller should wait, if said.
func RetryAfterOf(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// Throttled is the error of a caller over a limit, told how long to wait
// in its message and in RetryAfter. Both carry the same wait, rounded once
// by RoundWait, so that the Retry-After header and every message beside it
// (the API's, a page's) say the same duration.
func Throttled(wait time.Duration, reason string) *Error {
	wait = RoundWait(wait)
	return &Error{Kind: TooMany, RetryAfter: wait, Message: fmt.Sprintf("%s; please try again in %s", reason, WaitWords(wait))}
}

// RoundWait rounds a wait up the way people read one: to the second under a
// minute, to the minute from a minute on; never less than a second. It is
// the one rounding rule of every throttled answer.
func RoundWait(wait time.Duration) time.Duration {
	switch {
	case wait <= time.Second:
		return time.Second
	case wait <= time.Minute:
		return (wait + time.Second - 1).Truncate(time.Second)
	}
	return (wait + time.Minute - 1).Truncate(time.Minute)
}

// WaitUnits splits a wait, rounded by RoundWait, into the number people
// read and whether it counts minutes (else seconds).
func WaitUnits(wait time.Duration) (n int, minutes bool) {
	wait = RoundWait(wait)
	if wait >= time.Minute {
		return int(wait / time.Minute), true
	}
	return int(wait / time.Second), false
}

// WaitWords says a wait in English, as WaitUnits counts it.
func WaitWords(wait time.Duration) string {
	n, minutes := WaitUnits(wait)
	unit := "second"
	if minutes {
		unit = "minute"
	}
	if n != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", n, unit)
}

// RetryAfterSeconds is the Retry-After of a throttled error, in seconds:
// the wait its message says. Zero when err says no wait.
func RetryAfterSeconds(err error) int {
	wait := RetryAfterOf(err)
	if wait <= 0 {
		return 0
	}
	return int(RoundWait(wait) / time.Second)
}

// WithDetails adds details to err for the client, keeping its kind and
// message: a copy, so that err itself is unchanged.
func WithDetails(err error, details map[string]any) *Error {
	var e *Error
	if !errors.As(err, &e) {
		e = Wrap(Internal, err, "internal error")
	}
	out := *e
	out.Details = map[string]any{}
	for k, v := range e.Details {
		out.Details[k] = v
	}
	for k, v := range details {
		out.Details[k] = v
	}
	return &out
}

// DetailsOf returns the details of err for the client, if any.
func DetailsOf(err error) map[string]any {
	var e *Error
	if errors.As(err, &e) && e.Kind != Internal {
		return e.Details
	}
	return nil
}

// FieldsOf returns the field messages of err, if any.
func FieldsOf(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// MessageOf returns the message meant for people. Internal errors never
// expose their cause.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != Internal && e.Message != "" {
		return e.Message
	}
	switch KindOf(err) {
	case NotFound:
		return "not found"
	case Internal:
		return "internal error"
	}
	return string(KindOf(err))
}

// FieldErrors collects field-level validation messages. The zero value is
// ready to use; Err returns nil when nothing was added.
type FieldErrors map[string]string

// Add records msg for field unless the field already has a message: the
// first problem found is the one the user must fix first.
func (f FieldErrors) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Addf is Add with formatting.
func (f FieldErrors) Addf(field, format string, args ...any) {
	f.Add(field, fmt.Sprintf(format, args...))
}

// Err returns an Invalid error carrying the fields, or nil.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Message: "invalid input", Fields: map[string]string(f)}
}

// Text checks a text field of one line (a title, a name, an address):
// present when required, at most max characters, and text by the rule of
// package text, which allows no line break. The first problem is the one
// said.
func (f FieldErrors) Text(field, value string, required bool, max int) {
	f.text(field, value, false, required, max)
}

// TextLines checks a text field of several lines (a description, a
// comment) as Text does, but allows line breaks and tabs.
func (f FieldErrors) TextLines(field, value string, required bool, max int) {
	f.text(field, value, true, required, max)
}

func (f FieldErrors) text(field, value string, multiline, required bool, max int) {
	if msg := text.Check(value, multiline); msg != "" {
		f.Add(field, msg)
		return
	}
	switch n := utf8.RuneCountInString(value); {
	case n == 0 && required:
		f.Add(field, "is required")
	case n > max:
		f.Addf(field, "must be at most %d characters", max)
	}
}

// Date checks a date a person gave: its year must be one package date
// allows.
func (f FieldErrors) Date(field string, t time.Time) {
	if msg := date.Check(t); msg != "" {
		f.Add(field, msg)
	}
}

// Day reads into dst s, a day a person gave for field, as YYYY-MM-DD
// within the years package date allows: "" is no day, the zero time. A day
// that cannot be read leaves dst as it was and becomes field's message.
// The action, cycle and organisation forms and bodies read their days here;
// the few other days (an extension's deadline, the import's columns, the
// command line's --since) call date.Parse with a message of their own.
func (f FieldErrors) Day(field, s string, dst *time.Time) {
	if t, ok := f.day(field, s); ok {
		*dst = t
	}
}

// OptionalDay is Day for a day that may be missing: "" is nil.
func (f FieldErrors) OptionalDay(field, s string, dst **time.Time) {
	switch t, ok := f.day(field, s); {
	case !ok:
	case s == "":
		*dst = nil
	default:
		*dst = &t
	}
}

// day reads s for field; ok is false when it cannot (field's message says
// why), and "" is the zero time.
func (f FieldErrors) day(field, s string) (t time.Time, ok bool) {
	if s == "" {
		return time.Time{}, true
	}
	t, err := date.Parse(s)
	if err != nil {
		f.Add(field, err.Error())
		return time.Time{}, false
	}
	return t, true
}

// Stale is the Conflict of a save on what was read at an older version
// (optimistic locking): nothing was written, and the caller reloads what
// (as "this action") and applies the change again. current is the version
// saved meanwhile; 0 when unknown, as to the store, whose conditional
// update only learns that the row moved on.
func Stale(what string, current int) *Error {
	if current == 0 {
		return &Error{Kind: Conflict, Message: what + " was changed by someone else; reload it and apply your changes again",
			Fields: map[string]string{"version": "stale"}}
	}
	return &Error{Kind: Conflict,
		Message: fmt.Sprintf("%s was changed by someone else (now at version %d); reload it and apply your changes again", what, current),
		Fields:  map[string]string{"version": fmt.Sprintf("stale; the current version is %d", current)}}
}

// Field is an error of kind about one field, whose message is also the
// error's message.
func Field(kind Kind, field, msg string) *Error {
	return &Error{Kind: kind, Message: msg, Fields: map[string]string{field: msg}}
}

// Prefix says where err happened, as "action 12: ...", and keeps its kind
// and fields, so that a batch can name the item that failed.
func Prefix(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: KindOf(err), Message: fmt.Sprintf(format, args...) + ": " + MessageOf(err),
		Fields: FieldsOf(err), Err: err, RetryAfter: RetryAfterOf(err)}
}
