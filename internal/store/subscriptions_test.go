package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/subscription"
	"github.com/pctracker/pctracker/internal/testutil"
)

// The subscriptions' storage on both engines: a token finds its
// subscription until it expires; a confirmation replaces the confirmed
// twin of the same address and filters; one mail per subscription and
// slot, claimed by one sender; an unsubscription deletes the address with
// its tokens and unsent mail; housekeeping deletes what was never
// confirmed after 7 days.
func TestSubscriptionsStore(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
		add := func(email string) subscription.Subscription {
			t.Helper()
			s := subscription.Subscription{Email: email, Filters: subscription.Filters{Recommendations: []int{7}, Countries: []string{"FR"}},
				Frequency: subscription.Daily, Lang: "fr", CreatedAt: now}
			if err := db.AddSubscription(ctx, &s); err != nil {
				t.Fatal(err)
			}
			return s
		}
		old, twin, other := add("a@example.org"), add("a@example.org"), add("b@example.org")
		exp := now.Add(subscription.ConfirmFor)
		for _, tok := range []struct {
			id      int64
			hash    string
			purpose string
			exp     *time.Time
		}{
			{old.ID, "c-old", subscription.PurposeConfirm, &exp},
			{twin.ID, "c-twin", subscription.PurposeConfirm, &exp},
			{twin.ID, "m-twin", subscription.PurposeManage, nil},
			{other.ID, "m-other", subscription.PurposeManage, nil},
		} {
			if err := db.AddSubscriptionToken(ctx, tok.id, tok.hash, tok.purpose, tok.exp, now); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.SubscriptionByToken(ctx, "c-twin", subscription.PurposeManage, now); !errs.Is(err, errs.NotFound) {
			t.Errorf("a confirmation token used to manage: %v", err)
		}
		if _, err := db.SubscriptionByToken(ctx, "c-twin", subscription.PurposeConfirm, exp); !errs.Is(err, errs.NotFound) {
			t.Errorf("an expired token: %v", err)
		}
		got, err := db.SubscriptionByToken(ctx, "c-old", subscription.PurposeConfirm, now)
		if err != nil || got.ID != old.ID || got.Filters.Query() != "country=FR&recommendation=7" || got.ConfirmedAt != nil {
			t.Fatalf("by token: %+v %v", got, err)
		}
		for _, s := range []subscription.Subscription{old, twin} {
			if err := db.ConfirmSubscription(ctx, s.ID, now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		confirmed, err := db.ConfirmedSubscriptions(ctx)
		if err != nil || len(confirmed) != 1 || confirmed[0].ID != twin.ID || !confirmed[0].LastDigestAt.Equal(now.Add(time.Hour)) {
			t.Fatalf("after two confirmations of one address and filters: %+v %v", confirmed, err)
		}
		if _, err := db.SubscriptionByToken(ctx, "c-twin", subscription.PurposeConfirm, now); !errs.Is(err, errs.NotFound) {
			t.Errorf("a confirmation token used twice: %v", err)
		}

		mail := func(slot string) bool {
			t.Helper()
			m := subscription.Mail{SubscriptionID: twin.ID, Slot: slot, To: twin.Email, Subject: "s", Body: "b", Unsubscribe: "u",
				Status: subscription.Pending, NextAttemptAt: now, CreatedAt: now}
			wrote, err := db.EnqueueSubscriptionMail(ctx, &m)
			if err != nil {
				t.Fatal(err)
			}
			return wrote
		}
		if !mail("digest:1") || mail("digest:1") || !mail("digest:2") {
			t.Error("one mail per subscription and slot")
		}
		first, err := db.ClaimDueSubscriptionMails(ctx, now, now.Add(time.Minute), 10)
		if err != nil || len(first) != 2 {
			t.Fatalf("claim: %d %v", len(first), err)
		}
		if again, _ := db.ClaimDueSubscriptionMails(ctx, now, now.Add(time.Minute), 10); len(again) != 0 {
			t.Errorf("claimed twice: %d", len(again))
		}
		if err := db.MarkSubscriptionMailSent(ctx, first[0], now); err != nil {
			t.Fatal(err)
		}

		if err := db.DeleteSubscription(ctx, twin.ID); err != nil {
			t.Fatal(err)
		}
		for table, want := range map[string]int{"subscriptions": 1, "subscription_tokens": 1, "subscription_mails": 0} {
			if n := count(t, db, table); n != want {
				t.Errorf("after the unsubscription, %d rows in %s, want %d", n, table, want)
			}
		}
		// b@example.org never confirmed: deleted 7 days on, with its token.
		if _, err := db.Housekeep(ctx, now.Add(subscription.ConfirmFor-time.Minute)); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, "subscriptions"); n != 1 {
			t.Fatalf("housekeeping before 7 days deleted the subscription")
		}
		if _, err := db.Housekeep(ctx, now.Add(subscription.ConfirmFor)); err != nil {
			t.Fatal(err)
		}
		if n, m := count(t, db, "subscriptions"), count(t, db, "subscription_tokens"); n != 0 || m != 0 {
			t.Errorf("housekeeping after 7 days left %d subscriptions, %d tokens", n, m)
		}
	})
}

func count(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
