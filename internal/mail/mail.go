// Package mail sends pctracker's messages (invitations, password resets)
// through one of two backends: a folder of .eml files, so that a demo or a
// fresh install needs nothing, or an SMTP server.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/pctracker/pctracker/internal/errs"
)

// Message is a plain-text message to one person, or to several.
type Message struct {
	To      string
	Also    []string // further recipients, in To as well
	Subject string
	Text    string
	// ID, when set, is the Message-ID's left part: a message sent again
	// after a crash carries the same ID, so that mail systems can tell it
	// is one message.
	ID string
	// Unsubscribe, when set, is the address that ends a subscription with
	// one POST (RFC 8058): mail programs offer it as an unsubscribe button.
	Unsubscribe string
}

// Sender sends messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

func build(from string, m Message, opts ...gomail.MsgOption) (*gomail.Msg, error) {
	msg := gomail.NewMsg(opts...)
	if err := msg.From(from); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "sender address")
	}
	if err := msg.To(append([]string{m.To}, m.Also...)...); err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "recipient address in %q", append([]string{m.To}, m.Also...))
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	if m.ID != "" {
		msg.SetMessageIDWithValue(m.ID)
	} else {
		msg.SetMessageID()
	}
	if m.Unsubscribe != "" {
		msg.SetGenHeaderPreformatted(gomail.HeaderListUnsubscribe, "<"+m.Unsubscribe+">")
		msg.SetGenHeaderPreformatted(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	return msg, nil
}

// Files writes each message as an .eml file in a folder and logs where, not
// what: the text may hold a sign-in link.
type Files struct {
	dir    string
	from   string
	logger *slog.Logger
	seq    atomic.Uint64 // orders the messages of one millisecond
}

// NewFiles returns the file backend.
func NewFiles(dir, from string, logger *slog.Logger) *Files {
	return &Files{dir: dir, from: from, logger: logger}
}

// Send writes the message.
func (f *Files) Send(_ context.Context, m Message) error {
	// 8-bit text keeps links readable in the files; SMTP keeps the default
	// quoted-printable, which every server accepts.
	msg, err := build(f.from, m, gomail.WithEncoding(gomail.NoEncoding))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(f.dir, 0o700); err != nil {
		return errs.Wrap(errs.Unavailable, err, "mail folder")
	}
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		return errs.Wrap(errs.Internal, err, "write message")
	}
	// Named so that the folder lists in the order of writing: the time,
	// then a count for messages of one millisecond, then a random part
	// for several processes writing to one folder.
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	path := filepath.Join(f.dir, fmt.Sprintf("%s-%06d-%s.eml", time.Now().UTC().Format("20060102T150405.000"), f.seq.Add(1)%1000000,
		hex.EncodeToString(suffix)))
	// Written under another name, then renamed: whoever reads the folder
	// (a person, a test, a script handing the files to a mail server)
	// sees each message whole or not at all.
	partial := path + ".part"
	if err := os.WriteFile(partial, buf.Bytes(), 0o600); err != nil {
		return errs.Wrap(errs.Unavailable, err, "write message")
	}
	if err := os.Rename(partial, path); err != nil {
		_ = os.Remove(partial)
		return errs.Wrap(errs.Unavailable, err, "write message")
	}
	f.logger.Info("mail written", "to", m.To, "also", len(m.Also), "subject", m.Subject, "file", path)
	return nil
}

// SMTPOptions configure the SMTP backend.
type SMTPOptions struct {
	Host     string
	Port     int
	Username string // empty: no authentication
	Password string
	TLS      string // "starttls", "tls" (implicit) or "none"
	From     string
	// HELO is the name this host gives the server; strict servers want a
	// domain, so pctracker gives its public host name.
	HELO    string
	Timeout time.Duration
}

// SMTP sends through a mail server.
type SMTP struct {
	opt SMTPOptions
}

// NewSMTP returns the SMTP backend.
func NewSMTP(opt SMTPOptions) *SMTP {
	if opt.Timeout <= 0 {
		opt.Timeout = 15 * time.Second
	}
	return &SMTP{opt: opt}
}

// Send delivers the message to the server.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg, err := build(s.opt.From, m)
	if err != nil {
		return err
	}
	opts := []gomail.Option{gomail.WithPort(s.opt.Port), gomail.WithTimeout(s.opt.Timeout)}
	if s.opt.HELO != "" {
		opts = append(opts, gomail.WithHELO(s.opt.HELO))
	}
	switch s.opt.TLS {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.opt.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.opt.Username), gomail.WithPassword(s.opt.Password))
	}
	client, err := gomail.NewClient(s.opt.Host, opts...)
	if err != nil {
		return errs.Wrap(errs.Internal, err, "mail client")
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return errs.Wrap(errs.Unavailable, err, "the mail server did not take the message")
	}
	return nil
}
