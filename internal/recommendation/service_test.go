package recommendation_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/recommendation"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

func TestSeededRecommendations(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		svc := recommendation.NewService(db)
		all, err := svc.List(context.Background())
		if err != nil || len(all) != 12 {
			t.Fatalf("%d recommendations, %v", len(all), err)
		}
		slugs := []string{"use-guidelines", "export-safeguards", "non-state-purchases", "oversight", "transparent-procurement",
			"vendor-verification", "blacklisting", "former-employee-guardrails", "tech-accord-principles",
			"vulnerability-handling", "evidence-based-findings", "market-knowledge"}
		for i, r := range all {
			if r.Number != i+1 || r.Slug != slugs[i] {
				t.Errorf("%d: %s", r.Number, r.Slug)
			}
			if strings.Contains(r.Description.EN, "¹") || len(r.Description.FR) < 100 {
				t.Errorf("%d: description not clean: %q", r.Number, r.Description.FR)
			}
		}
		// "Addressed to states" covers public authorities too.
		if !all[1].AddressedTo(stakeholder.State) || !all[1].AddressedTo(stakeholder.PublicAuthority) || all[1].AddressedTo(stakeholder.Company) {
			t.Errorf("recommendation 2 addressees: %v", all[1].Addressees)
		}
		nine, _ := svc.Get(context.Background(), 9)
		if len(nine.Principles) != 5 || nine.Principles[4].FR == "" {
			t.Errorf("recommendation 9 principles: %+v", nine.Principles)
		}
		if _, err := svc.Get(context.Background(), 13); !errs.Is(err, errs.NotFound) {
			t.Errorf("13: %v", err)
		}
	})
}
