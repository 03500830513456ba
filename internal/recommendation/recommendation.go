// Package recommendation is about the twelve priority recommendations of the
// Paris Call working group on cyber mercenaries. They are reference data,
// seeded by migration, in English and French.
package recommendation

import (
	"context"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

// Text is a text in both languages of pctracker.
type Text struct {
	EN string
	FR string
}

// In returns the text in lang ("fr" or anything else for English).
func (t Text) In(lang string) string {
	if lang == "fr" && t.FR != "" {
		return t.FR
	}
	return t.EN
}

// Recommendation is one of the twelve.
type Recommendation struct {
	Number      int
	Slug        string
	Title       Text
	Description Text
	Addressees  []stakeholder.Kind
	Principles  []Text // sub-principles, in order
}

// AddressedTo reports whether the recommendation is addressed to kind.
func (r Recommendation) AddressedTo(kind stakeholder.Kind) bool {
	for _, k := range r.Addressees {
		if k == kind {
			return true
		}
	}
	return false
}

// Store reads the recommendations.
type Store interface {
	Recommendations(ctx context.Context) ([]Recommendation, error)
}

// Service serves the recommendations.
type Service struct{ store Store }

// NewService builds the service.
func NewService(store Store) *Service { return &Service{store: store} }

// List returns the recommendations in number order.
func (s *Service) List(ctx context.Context) ([]Recommendation, error) {
	return s.store.Recommendations(ctx)
}

// Get returns the recommendation with that number.
func (s *Service) Get(ctx context.Context, number int) (Recommendation, error) {
	all, err := s.store.Recommendations(ctx)
	if err != nil {
		return Recommendation{}, err
	}
	for _, r := range all {
		if r.Number == number {
			return r, nil
		}
	}
	return Recommendation{}, errs.E(errs.NotFound, "there is no recommendation %d", number)
}
