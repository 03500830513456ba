package purge_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/purge"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

const token = "purge-secret-7f3a"

// webhook is a purge endpoint on loopback that records what it takes.
type webhook struct {
	down  atomic.Bool // answers 503 while set
	mu    sync.Mutex
	taken [][]string // keys of each request answered 2xx
	auth  []string
	tries atomic.Int32
}

func startWebhook(t *testing.T) (*webhook, string) {
	w := &webhook{}
	ts := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.tries.Add(1)
		if w.down.Load() {
			http.Error(rw, "relay down", http.StatusServiceUnavailable)
			return
		}
		var body struct {
			Keys []string `json:"keys"`
		}
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&body) != nil {
			http.Error(rw, "bad purge", http.StatusBadRequest)
			return
		}
		w.mu.Lock()
		w.taken = append(w.taken, body.Keys)
		w.auth = append(w.auth, r.Header.Get("Authorization"))
		w.mu.Unlock()
		rw.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(ts.Close)
	return w, ts.URL
}

func (w *webhook) received() ([][]string, []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.taken), slices.Clone(w.auth)
}

// TestPurgeOutbox (issue 21.2): an acceptance writes, in its transaction,
// a purge of the keys its action shows; the webhook gets it once, after
// refusals and a restart (a new service over the same database), and two
// senders at once send it once.
func TestPurgeOutbox(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := testutil.NewServices(db)
		hook, url := startWebhook(t)
		var logs bytes.Buffer
		newService := func() *purge.Service { // what a (re)started process builds
			return purge.NewService(db, purge.NewWebhook(url, token), s.Clock.Now,
				purge.Options{RetryBase: time.Minute, RetryMax: time.Hour, Lease: time.Minute}, slog.New(slog.NewTextHandler(&logs, nil)))
		}
		purges := newService()
		actions := action.NewService(db, s.Clock.Now, purges)
		org := s.Stakeholder(t, stakeholder.State)
		c := s.Cycle(t, 2026)
		in := testutil.ActionInput()
		in.Recommendations = []int{3, 9}
		a, err := actions.Create(ctx, testutil.System, org.ID, c.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if a, err = actions.Move(ctx, testutil.System, a.ID, a.Version, action.Submitted, ""); err != nil {
			t.Fatal(err)
		}
		if rows, _ := db.Purges(ctx); len(rows) != 0 {
			t.Fatalf("a submission purged %v: the public sees nothing new", rows[0].Keys)
		}
		if _, err = actions.Move(ctx, testutil.System, a.ID, a.Version, action.Accepted, ""); err != nil {
			t.Fatal(err)
		}
		want := []string{"cycle-2026", fmt.Sprintf("action-%d", a.ID), fmt.Sprintf("org-%d", org.ID), "actions", "dashboard", "rec-3", "rec-9"}
		rows, err := db.Purges(ctx)
		if err != nil || len(rows) != 1 || !slices.Equal(rows[0].Keys, want) || rows[0].Status != purge.Pending {
			t.Fatalf("outbox after the acceptance: %+v %v, want one pending purge of %v", rows, err, want)
		}

		// The relay is down: the purge waits, with a backoff.
		hook.down.Store(true)
		if sent, failed, err := purges.Send(ctx); sent != 0 || failed != 1 || err != nil {
			t.Fatalf("send while down: %d sent, %d failed, %v", sent, failed, err)
		}
		if sent, failed, _ := purges.Send(ctx); sent+failed != 0 || hook.tries.Load() != 1 {
			t.Fatalf("tried again before its backoff: %d sent, %d failed, %d tries", sent, failed, hook.tries.Load())
		}
		if strings.Contains(logs.String(), token) {
			t.Errorf("the purge token is in the log:\n%s", logs.String())
		}

		// Stopped, restarted later with the relay up: it arrives, once.
		hook.down.Store(false)
		s.Clock.Add(2 * time.Minute)
		restarted := newService()
		if sent, failed, err := restarted.Send(ctx); sent != 1 || failed != 0 || err != nil {
			t.Fatalf("send after the restart: %d sent, %d failed, %v", sent, failed, err)
		}
		if sent, _, _ := restarted.Send(ctx); sent != 0 {
			t.Errorf("a purge sent twice")
		}
		taken, auth := hook.received()
		if len(taken) != 1 || !slices.Equal(taken[0], want) || auth[0] != "Bearer "+token {
			t.Errorf("the webhook took %v with %q, want once %v with the token", taken, auth, want)
		}

		// A decision rolled back leaves no purge behind.
		before, _ := db.Purges(ctx)
		undo := errors.New("undone")
		err = db.WithTx(ctx, func(ctx context.Context) error {
			if err := purges.ReportPublished(ctx, report.Report{CycleYear: 2025}, 0); err != nil {
				return err
			}
			return undo
		})
		if after, _ := db.Purges(ctx); !errors.Is(err, undo) || len(after) != len(before) {
			t.Errorf("a rolled-back publication left %d purges (had %d)", len(after), len(before))
		}

		// A publication purges its cycle; two senders at once (two
		// replicas) send it once.
		if err := db.WithTx(ctx, func(ctx context.Context) error {
			return purges.ReportPublished(ctx, report.Report{CycleYear: 2025}, 0)
		}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var total atomic.Int32
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, _, _ := newService().Send(ctx)
				total.Add(int32(n))
			}()
		}
		wg.Wait()
		taken, _ = hook.received()
		if total.Load() != 1 || len(taken) != 2 || !slices.Equal(taken[1], []string{"cycle-2025", "dashboard", "reports"}) {
			t.Errorf("publication: %d sent by two senders, webhook took %v", total.Load(), taken)
		}
	})
}

// TestNoPurgesWithoutACDN: with no purge URL, decisions write nothing
// that nobody would take.
func TestNoPurgesWithoutACDN(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	s := testutil.NewServices(db)
	purges := purge.NewService(db, nil, s.Clock.Now, purge.Options{RetryBase: time.Minute, RetryMax: time.Hour, Lease: time.Minute}, slog.Default())
	actions := action.NewService(db, s.Clock.Now, purges)
	a := s.Action(t, s.Stakeholder(t, stakeholder.State), s.Cycle(t, 2026))
	a, _ = actions.Move(context.Background(), testutil.System, a.ID, a.Version, action.Submitted, "")
	if _, err := actions.Move(context.Background(), testutil.System, a.ID, a.Version, action.Accepted, ""); err != nil {
		t.Fatal(err)
	}
	if rows, _ := db.Purges(context.Background()); len(rows) != 0 {
		t.Errorf("%d purges written with no CDN", len(rows))
	}
}
