package store

import (
	"context"

	"github.com/pctracker/pctracker/internal/recommendation"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

type recommendationRow struct {
	Number        int `gorm:"primaryKey"`
	Slug          string
	TitleEn       string
	TitleFr       string
	DescriptionEn string
	DescriptionFr string
}

func (recommendationRow) TableName() string { return "recommendations" }

type addresseeRow struct {
	RecommendationNumber int
	Kind                 string
}

func (addresseeRow) TableName() string { return "recommendation_addressees" }

type principleRow struct {
	RecommendationNumber int
	Position             int
	TextEn               string
	TextFr               string
}

func (principleRow) TableName() string { return "recommendation_principles" }

// Recommendations returns the recommendations with their addressees and
// principles, in number order. Three queries, whatever the count.
func (db *DB) Recommendations(ctx context.Context) ([]recommendation.Recommendation, error) {
	var rows []recommendationRow
	if err := db.conn(ctx).Order("number").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	var addressees []addresseeRow
	if err := db.conn(ctx).Find(&addressees).Error; err != nil {
		return nil, translate(err)
	}
	var principles []principleRow
	if err := db.conn(ctx).Order("recommendation_number, position").Find(&principles).Error; err != nil {
		return nil, translate(err)
	}
	kinds := map[int]map[stakeholder.Kind]bool{}
	for _, a := range addressees {
		if kinds[a.RecommendationNumber] == nil {
			kinds[a.RecommendationNumber] = map[stakeholder.Kind]bool{}
		}
		kinds[a.RecommendationNumber][stakeholder.Kind(a.Kind)] = true
	}
	out := make([]recommendation.Recommendation, len(rows))
	for i, r := range rows {
		rec := recommendation.Recommendation{Number: r.Number, Slug: r.Slug,
			Title:       recommendation.Text{EN: r.TitleEn, FR: r.TitleFr},
			Description: recommendation.Text{EN: r.DescriptionEn, FR: r.DescriptionFr}}
		for _, k := range stakeholder.Kinds { // display order, not table order
			if kinds[r.Number][k] {
				rec.Addressees = append(rec.Addressees, k)
			}
		}
		for _, p := range principles {
			if p.RecommendationNumber == r.Number {
				rec.Principles = append(rec.Principles, recommendation.Text{EN: p.TextEn, FR: p.TextFr})
			}
		}
		out[i] = rec
	}
	return out, nil
}

// RecommendationNumbers lists the numbers that exist.
func (db *DB) RecommendationNumbers(ctx context.Context) ([]int, error) {
	var nums []int
	if err := db.conn(ctx).Model(&recommendationRow{}).Order("number").Pluck("number", &nums).Error; err != nil {
		return nil, translate(err)
	}
	return nums, nil
}
