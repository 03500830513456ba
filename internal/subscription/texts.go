package subscription

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/release"
)

// Describe says the filters in words, in the language of t, each
// organisation by its name in names (by its number when it has none).
func (f Filters) Describe(t locale.Translate, names map[int64]string) string {
	if f.Empty() {
		return t("follow_filter_all")
	}
	var said []string
	for _, n := range f.Recommendations {
		said = append(said, t("follow_filter_recommendation", map[string]any{"Number": n}))
	}
	said = append(said, f.Countries...)
	for _, id := range f.Organisations {
		if n := names[id]; n != "" {
			said = append(said, n)
			continue
		}
		said = append(said, t("follow_filter_organisation", map[string]any{"ID": id}))
	}
	for _, k := range f.Kinds {
		said = append(said, t("kind_"+k))
	}
	return strings.Join(said, ", ")
}

// Describe says what a subscription follows, in the language of t, each
// organisation by its name.
func (s *Service) Describe(ctx context.Context, sub Subscription, t locale.Translate) (string, error) {
	names, err := s.orgs.PublicNames(ctx, sub.Filters.Organisations)
	if err != nil {
		return "", err
	}
	return sub.Filters.Describe(t, names), nil
}

// footer ends every mail: how to manage the subscription or leave it.
func footer(t locale.Translate, l links) string {
	return "\n\n-- \n" + t("follow_mail_footer", map[string]any{"Manage": l.Manage, "Unsubscribe": l.Unsubscribe}) + "\n"
}

// confirmText is the confirmation mail, in the subscriber's language.
func (s *Service) confirmText(sub Subscription, names map[int64]string, confirm string, l links) Mail {
	t := s.texts.Translator(sub.Lang)
	what := sub.Filters.Describe(t, names)
	body := t("follow_confirm_body", map[string]any{"Filters": what, "Frequency": t("follow_frequency_" + string(sub.Frequency)),
		"Link": confirm, "Days": int(ConfirmFor.Hours() / 24)})
	return Mail{SubscriptionID: sub.ID, Slot: PurposeConfirm, To: sub.Email, Subject: t("follow_confirm_subject"),
		Body: body + footer(t, l), Unsubscribe: l.Unsubscribe, Status: Pending, NextAttemptAt: sub.CreatedAt, CreatedAt: sub.CreatedAt}
}

// digestText is a digest of the actions that became public and of the
// new data releases, in the subscriber's language (the actions' titles
// stay as written).
func (s *Service) digestText(sub Subscription, names map[int64]string, list []action.Action, releases []release.Release, more bool, l links) (subject, body string) {
	t := s.texts.Translator(sub.Lang)
	what := sub.Filters.Describe(t, names)
	var b strings.Builder
	if len(list) > 0 {
		subject = t("follow_digest_subject", map[string]any{"Count": len(list), "Filters": what})
		b.WriteString(t("follow_digest_intro", map[string]any{"Count": len(list), "Filters": what}))
		b.WriteString("\n")
	} else {
		subject = t("follow_digest_subject_releases", map[string]any{"Count": len(releases)})
	}
	for _, a := range list {
		fmt.Fprintf(&b, "\n- %s\n  %s\n  %s/actions/%d\n", a.Title,
			t("follow_digest_item", map[string]any{"Organisation": a.Organisation, "Year": a.CycleYear, "Stage": t("stage_" + string(a.Stage))}),
			s.opt.BaseURL, a.ID)
	}
	if more {
		b.WriteString("\n" + t("follow_digest_more", map[string]any{"Link": s.opt.BaseURL + "/actions?" + sub.Filters.Query()}) + "\n")
	}
	if len(releases) > 0 {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(t("follow_digest_releases", map[string]any{"Count": len(releases)}) + "\n")
		for _, r := range releases {
			fmt.Fprintf(&b, "\n- %s\n  %s\n  %s/releases/%s\n", t("release_title", map[string]any{"Version": r.Version()}),
				firstLine(r.Changelog), s.opt.BaseURL, r.Version())
		}
	}
	return subject, b.String() + footer(t, l)
}

// firstLine is the first line of a changelog, which says what changed.
func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

// slotKey names a digest's slot in the outbox.
func slotKey(unix int64) string { return "digest:" + strconv.FormatInt(unix, 10) }
