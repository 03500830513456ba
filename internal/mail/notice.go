package mail

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Bilingual lays out a message to a person in English, then in French, as
// every pctracker message is.
func Bilingual(name, en, fr string) string {
	return fmt.Sprintf("Hello %[1]s,\n\n%[2]s\n\n--\n\nBonjour %[1]s,\n\n%[3]s\n", name, en, fr)
}

// NoticeTimeout bounds the sending of a notice. A notice is sent on the
// request that caused it, after its change is committed, rather than in
// the background, so that a shutdown cannot lose it; the request waits
// this long at most for a mail server that does not answer (one that is
// down refuses at once).
const NoticeTimeout = 5 * time.Second

// Notify sends a notice of a change already committed (a password reset,
// a second step set up): a mail that cannot be sent is logged, and never
// turns the change into a failure.
func Notify(ctx context.Context, s Sender, logger *slog.Logger, userID int64, m Message) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), NoticeTimeout)
	defer cancel()
	if err := s.Send(ctx, m); err != nil {
		logger.Error("security notice not sent", "user_id", userID, "notice", m.Subject, "error", err)
	}
}
