package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

// GenerateOptions size the synthetic data of Generate.
type GenerateOptions struct {
	Organisations   int
	Cycles          int
	ActionsPerCycle int
	Seed            uint64
	Now             time.Time // the latest cycle is this year's
}

// GenerateSummary counts what Generate wrote.
type GenerateSummary struct {
	Organisations, Cycles, Actions int
}

// generateBatch is how many rows go in one INSERT.
const generateBatch = 1000

// kindShares are the real proportions of Paris Call supporters: about 80
// states, 700 companies and 380 civil-society organisations in 1,200, the
// rest academia, public authorities and international organisations.
var kindShares = []struct {
	kind  stakeholder.Kind
	share float64
}{
	{stakeholder.State, 80.0 / 1200}, {stakeholder.Company, 700.0 / 1200}, {stakeholder.CivilSociety, 380.0 / 1200},
	{stakeholder.Academia, 25.0 / 1200}, {stakeholder.PublicAuthority, 10.0 / 1200}, {stakeholder.InternationalOrg, 5.0 / 1200},
}

// Generate fills an empty database with realistic synthetic data, for
// measuring pctracker at scale: organisations in the real proportions,
// cycles up to this year, and actions in every workflow state, each with
// its recommendations, evidence and first version. It inserts in batches,
// all in one transaction, and reports progress in actions written.
func (db *DB) Generate(ctx context.Context, opt GenerateOptions, progress func(done, total int)) (GenerateSummary, error) {
	var sum GenerateSummary
	var existing int64
	if err := db.conn(ctx).Model(&stakeholderRow{}).Count(&existing).Error; err != nil {
		return sum, translate(err)
	}
	if existing > 0 {
		return sum, errs.E(errs.Conflict, "the database already holds %d organisations: generate into an empty database", existing)
	}
	rng := rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15))
	now := opt.Now.UTC()
	orgs := make([]stakeholderRow, 0, opt.Organisations)
	for i := 0; i < opt.Organisations; i++ {
		kind := kindShares[len(kindShares)-1].kind
		for x, k := rng.Float64(), 0; k < len(kindShares); k++ {
			if x -= kindShares[k].share; x < 0 {
				kind = kindShares[k].kind
				break
			}
		}
		name := fmt.Sprintf("%s %04d", strings.ReplaceAll(string(kind), "_", " "), i+1)
		country := []string{"FR", "DE", "US", "GB", "JP", "CA", "NL", "EE", "KE", "BR", "IN", "AU"}[rng.IntN(12)]
		if kind == stakeholder.InternationalOrg {
			country = ""
		}
		orgs = append(orgs, stakeholderRow{Name: name, NameKey: strings.ToLower(name), Kind: string(kind), Country: country,
			Verified: rng.IntN(10) < 8, Active: rng.IntN(50) != 0, Version: 1, CreatedAt: now, UpdatedAt: now})
	}
	// One transaction for the whole run: a run that fails leaves the
	// database empty, ready for the next one, rather than half filled.
	err := db.WithTx(ctx, func(ctx context.Context) error {
		if err := db.conn(ctx).CreateInBatches(&orgs, generateBatch).Error; err != nil {
			return translate(err)
		}
		sum.Organisations = len(orgs)
		return db.generateCycles(ctx, rng, opt, orgs, &sum, progress)
	})
	if err != nil {
		return GenerateSummary{}, err
	}
	// Fresh statistics: without them the planner takes each table for
	// empty and picks plans for a handful of rows.
	if err := db.conn(ctx).Exec("ANALYZE").Error; err != nil {
		return sum, translate(err)
	}
	return sum, nil
}

// generateCycles writes the cycles and their actions, oldest first.
func (db *DB) generateCycles(ctx context.Context, rng *rand.Rand, opt GenerateOptions, orgs []stakeholderRow,
	sum *GenerateSummary, progress func(done, total int)) error {
	now := opt.Now.UTC()
	total := opt.Cycles * opt.ActionsPerCycle
	measures := make([]string, len(action.MeasureTypes))
	for i, m := range action.MeasureTypes {
		measures[i] = string(m.Type)
	}
	// The accepted actions of the cycle before, to carry forward: only what
	// a continuation needs, so that a cycle of a million takes megabytes.
	type continued struct{ id, stakeholder int64 }
	var previous []continued
	for c := 0; c < opt.Cycles; c++ {
		year := now.Year() - opt.Cycles + 1 + c
		day := func(m time.Month, d int) time.Time { return time.Date(year, m, d, 0, 0, 0, 0, time.UTC) }
		cy := cycleRow{Year: year, OpensAt: day(6, 1), Deadline: day(10, 1), ReportAt: day(10, 21),
			ForumDate: day(11, 11), Embargo: "immediate", Evidence: string(cycle.EvidenceRequired), Version: 1, CreatedAt: now, UpdatedAt: now}
		var accepted []continued
		if err := db.conn(ctx).Create(&cy).Error; err != nil {
			return translate(err)
		}
		carried := 0
		for start := 0; start < opt.ActionsPerCycle; start += generateBatch {
			n := min(generateBatch, opt.ActionsPerCycle-start)
			rows := make([]actionRow, n)
			for i := range rows {
				rows[i] = generatedAction(rng, cy, orgs, measures, now)
				// About a third continue an action of the cycle before.
				if carried < len(previous) && rng.IntN(3) == 0 {
					p := previous[carried]
					carried++
					rows[i].StakeholderID, rows[i].CarriedFrom = p.stakeholder, &p.id
				}
			}
			if err := db.conn(ctx).CreateInBatches(&rows, generateBatch).Error; err != nil {
				return translate(err)
			}
			if err := db.generateChildren(ctx, rng, rows); err != nil {
				return err
			}
			for _, r := range rows {
				if r.State == string(action.Accepted) {
					accepted = append(accepted, continued{r.ID, r.StakeholderID})
				}
			}
			sum.Actions += n
			if progress != nil {
				progress(sum.Actions, total)
			}
		}
		sum.Cycles++
		rng.Shuffle(len(accepted), func(i, j int) { accepted[i], accepted[j] = accepted[j], accepted[i] })
		previous = accepted
	}
	return nil
}

// generatedAction is one synthetic action of a cycle, in a workflow state
// drawn with the proportions of a cycle near its end.
func generatedAction(rng *rand.Rand, cy cycleRow, orgs []stakeholderRow, measures []string, now time.Time) actionRow {
	o := orgs[rng.IntN(len(orgs))]
	state := "accepted"
	switch x := rng.IntN(100); {
	case x < 10:
		state = "draft"
	case x < 18:
		state = "submitted"
	case x < 23:
		state = "changes_requested"
	case x < 27:
		state = "withdrawn"
	}
	at := cy.OpensAt.Add(time.Duration(rng.Int64N(int64(cy.Deadline.Sub(cy.OpensAt)))))
	if at.After(now) {
		at = now
	}
	r := actionRow{StakeholderID: o.ID, CycleID: cy.ID,
		Title:       fmt.Sprintf("%s measure %d on cyber mercenaries", []string{"National", "Sector", "Joint", "Pilot", "Public"}[rng.IntN(5)], rng.IntN(100000)),
		Description: "Generated for measurement: a realistic length of text describing what was done, by whom and with what effect.",
		Stage:       string(action.Stages[rng.IntN(len(action.Stages))]), MeasureType: measures[rng.IntN(len(measures))],
		Scope: string(action.Scopes[rng.IntN(len(action.Scopes))]), Visibility: "public", State: state, Assurance: string(action.SelfDeclared), Version: 1,
		CreatedAt: at, UpdatedAt: at}
	if rng.IntN(10) == 0 {
		r.Visibility = "secretariat"
	}
	if state != "draft" {
		r.SubmittedAt = &at
	}
	if state == "accepted" {
		accepted := at.Add(time.Duration(rng.IntN(14*24)) * time.Hour)
		r.AcceptedAt = &accepted
	}
	return r
}

// generateChildren writes the recommendations, evidence and first version
// of a batch of actions.
func (db *DB) generateChildren(ctx context.Context, rng *rand.Rand, rows []actionRow) error {
	recs := make([]actionRecommendationRow, 0, 2*len(rows))
	ev := make([]evidenceRow, 0, len(rows))
	versions := make([]actionVersionRow, 0, len(rows))
	for _, r := range rows {
		first := 1 + rng.IntN(12)
		numbers := []int{first}
		recs = append(recs, actionRecommendationRow{ActionID: r.ID, RecommendationNumber: first})
		if second := 1 + rng.IntN(12); rng.IntN(3) == 0 && second != first {
			recs = append(recs, actionRecommendationRow{ActionID: r.ID, RecommendationNumber: second})
			numbers = append(numbers, second)
		}
		e := evidenceRow{ActionID: r.ID, Position: 0, Kind: "report", URL: fmt.Sprintf("https://example.org/evidence/%d", r.ID), Title: "Published evidence"}
		ev = append(ev, e)
		snap, err := json.Marshal(snapshot{ID: r.ID, StakeholderID: r.StakeholderID, CycleID: r.CycleID, Title: r.Title,
			Description: r.Description, Recommendations: numbers, Stage: r.Stage, MeasureType: r.MeasureType, Scope: r.Scope,
			Visibility: r.Visibility, State: r.State, Version: 1, CarriedFrom: r.CarriedFrom, UpdatedAt: r.UpdatedAt,
			Evidence: []snapshotEvidence{{Kind: e.Kind, URL: e.URL, Title: e.Title}}})
		if err != nil {
			return errs.Wrap(errs.Internal, err, "encode snapshot")
		}
		versions = append(versions, actionVersionRow{ActionID: r.ID, Version: 1, Snapshot: string(snap), ChangedAt: r.UpdatedAt})
	}
	for _, batch := range []any{&recs, &ev, &versions} {
		if err := db.conn(ctx).CreateInBatches(batch, generateBatch).Error; err != nil {
			return translate(err)
		}
	}
	return nil
}
