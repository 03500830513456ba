package report

import (
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/evidence"
	"github.com/pctracker/pctracker/internal/recommendation"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

// GapCount is how many of the least-covered recommendations the report
// names as gaps.
const GapCount = 3

// Figures are everything a report says, compiled from its inputs. Every list
// is in a fixed order, so that the documents are the same bytes each time.
type Figures struct {
	Year         int
	CutoffAt     time.Time
	CompiledAt   time.Time
	Period       Period
	PreviousYear int // 0 when there is no previous cycle

	Supporters     []KindCount // organisations counted, by kind
	Reporting      []KindCount // organisations with an accepted action, by kind
	SupporterTotal int
	ReportingTotal int
	Actions        int // accepted public actions: every figure counts these alone
	Withheld       int // accepted actions kept for the secretariat, neither counted nor listed
	Links          LinkFigures
	ByStage        []StageCount
	ByAssurance    []AssuranceCount // actions by assurance level
	New            int
	CarriedForward int
	Prev           *Headline // the previous cycle's figures, when there is one

	Recommendations []RecFigures
	Gaps            []Gap
	Reported        []int64 // the organisations with a public accepted action, by id
	// Challenges are the report's claims and challenges; nil in the live
	// figures of the dashboard, which read no challenges.
	Challenges *ChallengeFigures
	// Crosswalk is the annex per framework; nil when the inputs hold no
	// crosswalk (stored before it, or the dashboard's live figures).
	Crosswalk *CrosswalkFigures
}

// ChallengeFigures count the challenges of the report's public actions
// published by its cut-off: how the secretariat decided them, on which
// recommendations, and which were upheld, in whole or in part.
type ChallengeFigures struct {
	Published        int
	ByOutcome        []OutcomeCount    // every outcome, in challenge.Outcomes order
	ByRecommendation []RecChallenges   // the recommendations with at least one, by number
	Upheld           []ListedChallenge // upheld and partly upheld, by organisation, action title and id
}

// OutcomeCount counts challenges decided one way.
type OutcomeCount struct {
	Outcome challenge.Outcome
	N       int
}

// RecChallenges count the challenges of the actions on a recommendation:
// a challenge counts under each recommendation of its action.
type RecChallenges struct {
	Number    int
	Title     recommendation.Text
	Total     int
	ByOutcome []OutcomeCount
}

// ListedChallenge is a challenge as the report lists it.
type ListedChallenge struct {
	ID             int64
	ActionID       int64
	ActionTitle    string
	OrganisationID int64
	Organisation   string
	Reviewer       string // "" when it chose not to be named: documents say what it is
	ReviewerKind   stakeholder.Kind
	Outcome        challenge.Outcome
	Reason         string // the first line of the reasons
	StageSet       action.Stage
	AssuranceSet   action.Assurance
	PublishedAt    time.Time
}

// Of returns how many challenges were decided o.
func (c ChallengeFigures) Of(o challenge.Outcome) int {
	for _, n := range c.ByOutcome {
		if n.Outcome == o {
			return n.N
		}
	}
	return 0
}

// LinkFigures count the evidence links of the public actions as they
// stood at the cut-off: how many, how many had been checked, and of those
// how many were broken or had changed since archived.
type LinkFigures struct {
	Links, Checked, Broken, Changed int
	// Cited counts the public actions that cite at least one link: what
	// the public pages say of evidence, on any data.
	Cited int
}

// Headline are the previous cycle's headline figures.
type Headline struct {
	Reporting int
	Actions   int
}

// KindCount counts organisations of a kind.
type KindCount struct {
	Kind stakeholder.Kind
	N    int
}

// StageCount counts actions or organisations at a stage.
type StageCount struct {
	Stage action.Stage
	N     int
}

// AssuranceCount counts actions or organisations at an assurance level.
type AssuranceCount struct {
	Level action.Assurance
	N     int
}

// RecFigures are one recommendation's figures.
type RecFigures struct {
	Number        int
	Slug          string
	Title         recommendation.Text
	Addressees    []stakeholder.Kind
	Organisations int          // organisations acting on it
	ByKind        []KindCount  // organisations acting, by kind
	ByStage       []StageCount // organisations acting, by the furthest stage of their actions on it
	// ByAssurance: organisations acting, by the most assured of their
	// actions on it ("14 acting, of which 3 independently verified").
	ByAssurance []AssuranceCount
	Actions     int
	Coverage    Coverage
	HeatMap     []Cell // one per kind, in stakeholder.Kinds order
	Prev        *RecPrev
	Listed      []Listed // its furthest advanced public actions, at most ListedPerRecommendation
}

// Assured returns how many organisations acting on the recommendation
// have an action of the level (a code) as their most assured.
func (r RecFigures) Assured(level string) int {
	for _, c := range r.ByAssurance {
		if string(c.Level) == level {
			return c.N
		}
	}
	return 0
}

// Coverage is the share of the organisations of the addressed kinds that
// reported an action on a recommendation.
type Coverage struct {
	Addressees int
	Reporting  int
	Percent    float64 // rounded to one decimal; 0 when there are no addressees
}

// Cell is one cell of the recommendation x kind heat map.
type Cell struct {
	Kind          stakeholder.Kind
	Organisations int // of the kind, acting on the recommendation
	Supporters    int // of the kind, counted
	Percent       float64
	Addressed     bool
}

// RecPrev is a recommendation's figures in the previous cycle.
type RecPrev struct {
	Organisations int
	Coverage      float64
}

// Gap is a least-covered recommendation.
type Gap struct {
	Number   int
	Slug     string
	Title    recommendation.Text
	Coverage Coverage
}

// StatesGap is where states lag most: of the recommendations addressed to
// states, the one the smallest share of them acts on (the first in number
// order among equals). The dashboard and its API both say it.
type StatesGap struct {
	Number  int
	Title   recommendation.Text
	Percent float64 // of the states counted, those acting on it
	Acting  int     // states acting on it
	States  int     // states counted
}

// StatesGap finds where states lag most; false when no recommendation is
// addressed to states, or no state is counted.
func (f Figures) StatesGap() (StatesGap, bool) {
	var gap StatesGap
	found := false
	for _, r := range f.Recommendations {
		for _, c := range r.HeatMap {
			if c.Kind == stakeholder.State && c.Addressed && c.Supporters > 0 && (!found || c.Percent < gap.Percent) {
				gap, found = StatesGap{Number: r.Number, Title: r.Title, Percent: c.Percent, Acting: c.Organisations, States: c.Supporters}, true
			}
		}
	}
	return gap, found
}

// Listed is an accepted public action as the report lists it.
type Listed struct {
	ID              int64
	OrganisationID  int64
	Organisation    string
	Kind            stakeholder.Kind
	Country         string
	Title           string
	Stage           action.Stage
	Assurance       action.Assurance
	MeasureType     action.MeasureType
	Scope           action.Scope
	CarriedForward  bool
	Recommendations []int
	AcceptedAt      time.Time
	Evidence        []Evidence
	Provisions      []ProvisionLink // the provisions it counts for (none without a crosswalk)
}

// stageRank orders stages by how far an action has come; an organisation
// is counted at the furthest stage of its actions on a recommendation, and a
// discontinued action counts only when nothing else does.
var stageRank = map[action.Stage]int{
	action.Discontinued: 0, action.Planned: 1, action.InProgress: 2, action.Adopted: 3, action.Implemented: 4,
}

// ListedPerRecommendation bounds the actions the report lists under each
// recommendation: the furthest advanced first. Every action is in the CSV,
// JSON and XLSX; a printed report of tens of thousands of rows would not be
// read.
const ListedPerRecommendation = 100

// Compiled is a report ready to render: its figures, and its actions to
// read again, a row at a time, for the documents that list them all.
type Compiled struct {
	Figures
	orgs    map[int64]Organisation
	actions ActionSource
}

// Compile turns inputs into figures, reading the actions once. It reads
// nothing else: the same inputs give the same figures.
func Compile(in Inputs, actions ActionSource) (Compiled, error) {
	f, err := compile(in, actions, true)
	if err != nil {
		return Compiled{}, err
	}
	return Compiled{Figures: f, orgs: organisationsByID(in.Organisations), actions: actions}, nil
}

// EachListed calls fn with every public action, in listing order.
func (c Compiled) EachListed(fn func(Listed) error) error {
	return c.actions(func(a Action) error {
		if !a.Public {
			return nil
		}
		return fn(listing(a, c.orgs))
	})
}

// compile holds no more than one action at a time, the figures (bounded by
// organisations x recommendations) and, when list is set, the actions
// listed under each recommendation.
//
// The report's own compilation (list set) counts its challenges too; the
// live figures (list unset) neither list actions nor read challenges.
func compile(in Inputs, actions ActionSource, list bool) (Figures, error) {
	f := Figures{Year: in.Cycle.Year, CutoffAt: in.CutoffAt.UTC(), CompiledAt: in.CompiledAt.UTC(), Period: in.Cycle}
	var cw *crosswalkTally
	if list && in.Crosswalk != nil {
		cw = newCrosswalkTally(in.Crosswalk)
	}
	cur, listed, challenged, err := f.count(in, actions, list, cw)
	if err != nil {
		return Figures{}, err
	}
	if cw != nil {
		f.Crosswalk = cw.figures(in.Recommendations)
	}
	prev := f.previous(in.Previous, in.Organisations)
	for _, r := range in.Recommendations {
		f.Recommendations = append(f.Recommendations, recFigures(r, cur, prev, listed[r.Number]))
	}
	f.Gaps = gaps(f.Recommendations)
	if list {
		f.Challenges = challengeFigures(in, challenged, cur.orgs)
	}
	return f, nil
}

// count reads the actions once into the headline figures and the tally of
// the cycle, and, when list is set, picks the actions listed under each
// recommendation. Only public actions count: an action its organisation
// kept for the secretariat must not show, not even as a number on a heat
// map.
//
// It keeps the public actions the inputs' challenges are of, which the
// report's list of challenges names: only those count, so that nothing is
// said of an action the report does not show.
func (f *Figures) count(in Inputs, actions ActionSource, list bool, cw *crosswalkTally) (*tallied, picks, map[int64]Action, error) {
	cur := newTally(in.Cycle, in.Organisations)
	stages := map[action.Stage]int{}
	levels := map[action.Assurance]int{}
	listed := picks{}
	seq := 0
	challenged := map[int64]Action{}
	for _, c := range in.Challenges {
		challenged[c.ActionID] = Action{}
	}
	err := actions(func(a Action) error {
		if !a.Public {
			f.Withheld++
			return nil
		}
		if _, ok := challenged[a.ID]; ok {
			challenged[a.ID] = Action{ID: a.ID, OrganisationID: a.OrganisationID, Public: true, Title: a.Title,
				Recommendations: a.Recommendations}
		}
		cur.add(a.OrganisationID, a.Stage, a.Recommendations)
		cur.assure(a.OrganisationID, a.Assurance.OrDefault(), a.Recommendations)
		f.Actions++
		f.Links.add(a.Evidence)
		if len(a.Evidence) > 0 || a.Cited {
			f.Links.Cited++
		}
		if cw != nil {
			cw.add(a)
		}
		stages[a.Stage]++
		levels[a.Assurance.OrDefault()]++
		if a.CarriedForward {
			f.CarriedForward++
		} else {
			f.New++
		}
		if list {
			seq++
			listed.add(seq, listing(a, cur.orgs))
		}
		return nil
	})
	if err != nil {
		return nil, nil, nil, err
	}
	f.Supporters, f.SupporterTotal = kindCounts(cur.counted, cur.orgs)
	f.Reporting, f.ReportingTotal = kindCounts(cur.reporting, cur.orgs)
	f.ByStage = stageCounts(stages)
	f.ByAssurance = assuranceCounts(levels)
	for id := range cur.reporting {
		f.Reported = append(f.Reported, id)
	}
	slices.Sort(f.Reported)
	return cur, listed, challenged, nil
}

// challengeFigures count the inputs' challenges of the public actions
// read (actions, by id; an action not read, or not public, has a zero
// Action there and its challenges are left out).
func challengeFigures(in Inputs, actions map[int64]Action, orgs map[int64]Organisation) *ChallengeFigures {
	cf := &ChallengeFigures{}
	outcomes := map[challenge.Outcome]int{}
	byRec := map[int]map[challenge.Outcome]int{}
	for _, c := range in.Challenges {
		a := actions[c.ActionID]
		if !a.Public {
			continue
		}
		cf.Published++
		outcomes[c.Outcome]++
		for _, n := range a.Recommendations {
			if byRec[n] == nil {
				byRec[n] = map[challenge.Outcome]int{}
			}
			byRec[n][c.Outcome]++
		}
		if c.Outcome == challenge.Upheld || c.Outcome == challenge.PartlyUpheld {
			cf.Upheld = append(cf.Upheld, ListedChallenge{ID: c.ID, ActionID: a.ID, ActionTitle: a.Title,
				OrganisationID: a.OrganisationID, Organisation: orgs[a.OrganisationID].Name, Reviewer: c.Reviewer,
				ReviewerKind: c.ReviewerKind, Outcome: c.Outcome, Reason: firstLine(c.Reasons), StageSet: c.StageSet,
				AssuranceSet: c.AssuranceSet, PublishedAt: c.PublishedAt.UTC()})
		}
	}
	cf.ByOutcome = outcomeCounts(outcomes)
	for _, r := range in.Recommendations {
		if n := byRec[r.Number]; len(n) > 0 {
			rc := RecChallenges{Number: r.Number, Title: r.Title, ByOutcome: outcomeCounts(n)}
			for _, k := range n {
				rc.Total += k
			}
			cf.ByRecommendation = append(cf.ByRecommendation, rc)
		}
	}
	// In the order the report lists actions: organisation, title, then
	// the challenge's id; compared byte by byte, as the store sorts them.
	slices.SortFunc(cf.Upheld, func(a, b ListedChallenge) int {
		if c := strings.Compare(a.Organisation, b.Organisation); c != 0 {
			return c
		}
		if c := strings.Compare(a.ActionTitle, b.ActionTitle); c != 0 {
			return c
		}
		return int(a.ID - b.ID)
	})
	return cf
}

func outcomeCounts(n map[challenge.Outcome]int) []OutcomeCount {
	out := make([]OutcomeCount, len(challenge.Outcomes))
	for i, o := range challenge.Outcomes {
		out[i] = OutcomeCount{Outcome: o, N: n[o]}
	}
	return out
}

// firstLine is the first line of a text that has any words, trimmed.
func firstLine(s string) string {
	for line := range strings.SplitSeq(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			return line
		}
	}
	return ""
}

// add counts the evidence links of a public action.
func (l *LinkFigures) add(links []Evidence) {
	for _, e := range links {
		l.Links++
		if e.State != "" {
			l.Checked++
		}
		switch evidence.State(e.State) {
		case evidence.Broken:
			l.Broken++
		case evidence.Changed:
			l.Changed++
		}
	}
}

// previous tallies the cycle before from its summary (nil when there is
// none), over the organisations its report saw when it names them, else
// over today's.
func (f *Figures) previous(p *Previous, orgs []Organisation) *tallied {
	if p == nil {
		return nil
	}
	f.PreviousYear = p.Period.Year
	if len(p.Organisations) > 0 {
		orgs = p.Organisations
	}
	prev := newTally(p.Period, orgs)
	for _, id := range p.Reporting {
		prev.counted[id], prev.reporting[id] = struct{}{}, struct{}{}
	}
	for _, a := range p.Acting {
		prev.act(a.Recommendation, a.OrganisationID, a.Stage)
	}
	f.Prev = &Headline{Reporting: len(p.Reporting), Actions: p.Actions}
	return prev
}

// recFigures are one recommendation's figures from the cycle's tally, with
// the change since the previous cycle's (prev may be nil) and the actions
// picked for its list (p may be nil: none).
func recFigures(r Recommendation, cur, prev *tallied, p *picked) RecFigures {
	rf := RecFigures{Number: r.Number, Slug: r.Slug, Title: r.Title, Addressees: r.Addressees}
	acting := cur.acting[r.Number]
	rf.Organisations = len(acting)
	rf.ByKind, _ = kindCounts(acting, cur.orgs)
	byStage := map[action.Stage]int{}
	for _, st := range acting {
		byStage[st]++
	}
	rf.ByStage = stageCounts(byStage)
	byLevel := map[action.Assurance]int{}
	for _, l := range cur.assured[r.Number] {
		byLevel[l]++
	}
	rf.ByAssurance = assuranceCounts(byLevel)
	rf.Actions = cur.actions[r.Number]
	rf.Coverage = coverage(r.Addressees, cur.counted, acting, cur.orgs)
	rf.HeatMap = heatMap(r.Addressees, cur, acting)
	if prev != nil {
		rf.Prev = &RecPrev{Organisations: len(prev.acting[r.Number]),
			Coverage: coverage(r.Addressees, prev.counted, prev.acting[r.Number], prev.orgs).Percent}
	}
	if p != nil {
		rf.Listed = p.list()
	}
	return rf
}

// heatMap is a recommendation's row of the heat map: for each kind, the
// organisations counted and those of them acting on it.
func heatMap(addressees []stakeholder.Kind, t *tallied, acting map[int64]action.Stage) []Cell {
	var row []Cell
	for _, k := range stakeholder.Kinds {
		c := Cell{Kind: k, Addressed: slices.Contains(addressees, k)}
		for id := range t.counted {
			if t.orgs[id].Kind == k {
				c.Supporters++
				if _, ok := acting[id]; ok {
					c.Organisations++
				}
			}
		}
		c.Percent = percent(c.Organisations, c.Supporters)
		row = append(row, c)
	}
	return row
}

// Summarise reduces a cycle's actions to what the next cycle's report
// needs of it (see Previous).
func Summarise(p Period, actions ActionSource) (*Previous, error) {
	t := newTally(p, nil)
	out := &Previous{Period: p, Reporting: []int64{}, Acting: []Acting{}}
	err := actions(func(a Action) error {
		if a.Public {
			out.Actions++
			t.add(a.OrganisationID, a.Stage, a.Recommendations)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for id := range t.reporting {
		out.Reporting = append(out.Reporting, id)
	}
	slices.Sort(out.Reporting)
	for n, m := range t.acting {
		for id, st := range m {
			out.Acting = append(out.Acting, Acting{Recommendation: n, OrganisationID: id, Stage: st})
		}
	}
	slices.SortFunc(out.Acting, func(a, b Acting) int {
		if a.Recommendation != b.Recommendation {
			return a.Recommendation - b.Recommendation
		}
		return int(a.OrganisationID - b.OrganisationID)
	})
	return out, nil
}

func organisationsByID(list []Organisation) map[int64]Organisation {
	m := make(map[int64]Organisation, len(list))
	for _, o := range list {
		m[o.ID] = o
	}
	return m
}

// set is a set of organisations.
type set = map[int64]struct{}

// tallied is one cycle's counts: the organisations counted as supporters,
// those reporting, and per recommendation the organisations acting (at
// their furthest stage) and the number of actions.
type tallied struct {
	orgs      map[int64]Organisation // the cycle's organisations, by id, to tell each one's kind
	counted   set
	reporting set
	acting    map[int]map[int64]action.Stage
	assured   map[int]map[int64]action.Assurance // the most assured level of each acting organisation
	actions   map[int]int
}

// newTally starts counting a cycle. An organisation is counted as a
// supporter when it is active and supported the Call by the cycle's
// deadline, or when it reported in the cycle all the same.
func newTally(p Period, orgs []Organisation) *tallied {
	t := &tallied{orgs: organisationsByID(orgs), counted: set{}, reporting: set{},
		acting: map[int]map[int64]action.Stage{}, assured: map[int]map[int64]action.Assurance{}, actions: map[int]int{}}
	for _, o := range orgs {
		if o.Active && (o.SupporterSince == nil || !o.SupporterSince.After(p.Deadline)) {
			t.counted[o.ID] = struct{}{}
		}
	}
	return t
}

// add counts one public action.
func (t *tallied) add(org int64, stage action.Stage, recs []int) {
	t.counted[org], t.reporting[org] = struct{}{}, struct{}{}
	for _, n := range recs {
		t.actions[n]++
		t.act(n, org, stage)
	}
}

// act records an organisation acting on a recommendation, keeping its
// furthest stage.
func (t *tallied) act(rec int, org int64, stage action.Stage) {
	m := t.acting[rec]
	if m == nil {
		m = map[int64]action.Stage{}
		t.acting[rec] = m
	}
	if st, ok := m[org]; !ok || stageRank[stage] > stageRank[st] {
		m[org] = stage
	}
}

// assure records the level of an organisation's action on its
// recommendations, keeping the most assured.
func (t *tallied) assure(org int64, level action.Assurance, recs []int) {
	for _, n := range recs {
		m := t.assured[n]
		if m == nil {
			m = map[int64]action.Assurance{}
			t.assured[n] = m
		}
		if l, ok := m[org]; !ok || level.Rank() > l.Rank() {
			m[org] = level
		}
	}
}

// picks are the actions picked for listing, by recommendation.
type picks map[int]*picked

// add offers a public action to the list of each of its recommendations.
func (ps picks) add(seq int, l Listed) {
	for _, n := range l.Recommendations {
		p := ps[n]
		if p == nil {
			p = &picked{}
			ps[n] = p
		}
		p.add(seq, l)
	}
}

// picked keeps the ListedPerRecommendation furthest advanced actions of a
// recommendation, in listing order among equals; it sorts and trims when it
// holds twice that, so it never holds more.
type picked struct{ items []pick }

type pick struct {
	seq int
	l   Listed
}

func (p *picked) add(seq int, l Listed) {
	p.items = append(p.items, pick{seq, l})
	if len(p.items) >= 2*ListedPerRecommendation {
		p.trim()
	}
}

func (p *picked) trim() {
	slices.SortFunc(p.items, func(a, b pick) int {
		if ra, rb := stageRank[a.l.Stage], stageRank[b.l.Stage]; ra != rb {
			return rb - ra
		}
		return a.seq - b.seq
	})
	if len(p.items) > ListedPerRecommendation {
		p.items = p.items[:ListedPerRecommendation]
	}
}

// list returns the picked actions in listing order.
func (p *picked) list() []Listed {
	p.trim()
	slices.SortFunc(p.items, func(a, b pick) int { return a.seq - b.seq })
	out := make([]Listed, len(p.items))
	for i, it := range p.items {
		out[i] = it.l
	}
	return out
}

func kindCounts[V any](members map[int64]V, orgs map[int64]Organisation) ([]KindCount, int) {
	n := map[stakeholder.Kind]int{}
	for id := range members {
		n[orgs[id].Kind]++
	}
	out := make([]KindCount, len(stakeholder.Kinds))
	for i, k := range stakeholder.Kinds {
		out[i] = KindCount{Kind: k, N: n[k]}
	}
	return out, len(members)
}

func stageCounts(n map[action.Stage]int) []StageCount {
	out := make([]StageCount, len(action.Stages))
	for i, s := range action.Stages {
		out[i] = StageCount{Stage: s, N: n[s]}
	}
	return out
}

func assuranceCounts(n map[action.Assurance]int) []AssuranceCount {
	out := make([]AssuranceCount, len(action.Assurances))
	for i, l := range action.Assurances {
		out[i] = AssuranceCount{Level: l, N: n[l]}
	}
	return out
}

func coverage(addressees []stakeholder.Kind, counted set, acting map[int64]action.Stage, orgs map[int64]Organisation) Coverage {
	var c Coverage
	for id := range counted {
		if slices.Contains(addressees, orgs[id].Kind) {
			c.Addressees++
			if _, ok := acting[id]; ok {
				c.Reporting++
			}
		}
	}
	c.Percent = percent(c.Reporting, c.Addressees)
	return c
}

// percent is n of total in percent, rounded to one decimal.
func percent(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return math.Round(float64(n)*1000/float64(total)) / 10
}

// listing is a public action as the report lists it.
func listing(a Action, orgs map[int64]Organisation) Listed {
	o := orgs[a.OrganisationID]
	return Listed{ID: a.ID, OrganisationID: a.OrganisationID, Organisation: o.Name, Kind: o.Kind, Country: o.Country,
		Title: a.Title, Stage: a.Stage, Assurance: a.Assurance.OrDefault(), MeasureType: a.MeasureType, Scope: a.Scope, CarriedForward: a.CarriedForward,
		Recommendations: a.Recommendations, AcceptedAt: a.AcceptedAt.UTC(), Evidence: a.Evidence,
		Provisions: a.Provisions}
}

// gaps are the least-covered recommendations among their addressees.
func gaps(recs []RecFigures) []Gap {
	var out []Gap
	for _, r := range recs {
		if r.Coverage.Addressees > 0 {
			out = append(out, Gap{Number: r.Number, Slug: r.Slug, Title: r.Title, Coverage: r.Coverage})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Coverage.Percent != out[j].Coverage.Percent {
			return out[i].Coverage.Percent < out[j].Coverage.Percent
		}
		return out[i].Number < out[j].Number
	})
	if len(out) > GapCount {
		out = out[:GapCount]
	}
	return out
}
