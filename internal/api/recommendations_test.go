package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

func TestRecommendationsAPI(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ts := apptest.StartServer(t, db)
		r := apptest.Get(t, nil, ts.URL+"/api/v1/recommendations")
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("list: %d %s", r.Status, r.Header.Get("Content-Type"))
		}
		var list struct {
			Items []struct {
				Number      int               `json:"number"`
				Slug        string            `json:"slug"`
				Title       map[string]string `json:"title"`
				Description map[string]string `json:"description"`
				Addressees  []string          `json:"addressees"`
				Principles  []map[string]string
			} `json:"items"`
			Total int `json:"total"`
		}
		if err := json.Unmarshal([]byte(r.Body), &list); err != nil {
			t.Fatal(err)
		}
		if list.Total != 12 || len(list.Items) != 12 {
			t.Fatalf("want the twelve, got %d", list.Total)
		}
		for i, it := range list.Items {
			if it.Number != i+1 || it.Slug == "" || it.Title["en"] == "" || it.Title["fr"] == "" ||
				it.Description["en"] == "" || it.Description["fr"] == "" || len(it.Addressees) == 0 {
				t.Errorf("recommendation %d incomplete: %+v", i+1, it)
			}
		}
		if list.Items[1].Slug != "export-safeguards" || list.Items[1].Addressees[0] != "state" {
			t.Errorf("recommendation 2: %+v", list.Items[1])
		}
		r = apptest.Get(t, nil, ts.URL+"/api/v1/recommendations/9")
		if r.Status != 200 || strings.Count(r.Body, `"en":`) != 7 { // title, description, five principles
			t.Errorf("recommendation 9: %d %s", r.Status, r.Body)
		}
		for path, want := range map[string]int{"/api/v1/recommendations/13": 404, "/api/v1/recommendations/abc": 404, "/api/v1/nothing": 404} {
			r := apptest.Get(t, nil, ts.URL+path)
			var body struct {
				Error struct {
					Code    string            `json:"code"`
					Message string            `json:"message"`
					Fields  map[string]string `json:"fields"`
				} `json:"error"`
				RequestID string `json:"request_id"`
			}
			if err := json.Unmarshal([]byte(r.Body), &body); err != nil || r.Status != want || body.Error.Code == "" || body.RequestID == "" {
				t.Errorf("%s: %d %s", path, r.Status, r.Body)
			}
		}
	})
}
