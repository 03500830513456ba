package apptest

import (
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"

	"github.com/pctracker/pctracker/internal/testutil"
)

// MailLink finds an invitation or reset link in a mail.
var MailLink = regexp.MustCompile(`http://pct\.test(/(?:invite|reset/new)\?token=[A-Za-z0-9_-]+)`)

// NewestLink returns the link of the newest message to one address with a
// link of a kind ("/invite" or "/reset/new"), waiting until at least n
// such messages have arrived. Messages are told apart by recipient, not
// by count: a reset request sends its mail after the answer, so mail to
// another person can arrive in any order.
func NewestLink(t *testing.T, n int, to, kind string) string {
	t.Helper()
	var links []string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(30 * time.Millisecond) {
		links = links[:0]
		for _, m := range testutil.Mails(t, MailDir(t), to) {
			if l := MailLink.FindStringSubmatch(m.Text); l != nil && strings.HasPrefix(l[1], kind+"?") {
				links = append(links, l[1])
			}
		}
		if len(links) >= n || time.Now().After(deadline) {
			break
		}
	}
	if len(links) < n {
		t.Fatalf("%d messages to %s with a %s link, want %d", len(links), to, kind, n)
	}
	return links[len(links)-1]
}

// StartSMTP starts the SMTP mock on a loopback port for the test.
func StartSMTP(t *testing.T) *smtpmock.Server {
	t.Helper()
	server := smtpmock.New(smtpmock.ConfigurationAttr{HostAddress: "127.0.0.1", MultipleMessageReceiving: true})
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = server.Stop() })
	return server
}

// Received decodes what the SMTP mock holds, as "to | subject" lines
// sorted, and the messages by that line.
func Received(t *testing.T, server *smtpmock.Server) ([]string, map[string]testutil.Mail) {
	t.Helper()
	var lines []string
	byLine := map[string]testutil.Mail{}
	for _, m := range server.Messages() {
		mail := testutil.SMTPMail(t, m.MsgRequest())
		line := strings.Join(mail.To, ",") + " | " + mail.Subject
		lines = append(lines, line)
		byLine[line] = mail
	}
	sort.Strings(lines)
	return lines, byLine
}
