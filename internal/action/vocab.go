package action

import "slices"

// The vocabularies of an action. Codes are stable; labels are translated in
// the interface.

// Stage is how far an action has come, as reported by its organisation.
type Stage string

const (
	Planned      Stage = "planned"
	InProgress   Stage = "in_progress"
	Adopted      Stage = "adopted" // formally adopted or launched, not yet fully in effect
	Implemented  Stage = "implemented"
	Discontinued Stage = "discontinued"
)

// Stages lists the stages in order.
var Stages = []Stage{Planned, InProgress, Adopted, Implemented, Discontinued}

// MeasureType is the kind of measure, after the European Cyber Agora's
// policy toolbox.
type MeasureType string

// MeasureGroup groups measure types.
type MeasureGroup string

const (
	Legal          MeasureGroup = "legal"
	Regulatory     MeasureGroup = "regulatory"
	SelfRegulation MeasureGroup = "self_regulation"
	OtherMeasures  MeasureGroup = "other"
)

// MeasureTypes lists every measure type in toolbox order, each with its group.
var MeasureTypes = []struct {
	Type  MeasureType
	Group MeasureGroup
}{
	{"legal_framework", Legal}, {"moratorium_ban", Legal}, {"criminal_action", Legal}, {"civil_action", Legal},
	{"sanctions", Regulatory}, {"export_controls", Regulatory}, {"mandatory_due_diligence", Regulatory}, {"public_oversight", Regulatory},
	{"voluntary_due_diligence", SelfRegulation}, {"ethics_committee", SelfRegulation},
	{"multistakeholder_collaboration", OtherMeasures}, {"secure_technology", OtherMeasures},
	{"research_investigation", OtherMeasures}, {"awareness_education", OtherMeasures},
	{"victim_assistance", OtherMeasures}, {"advocacy", OtherMeasures},
}

// Group returns the group of m, "" if m is unknown.
func (m MeasureType) Group() MeasureGroup {
	for _, x := range MeasureTypes {
		if x.Type == m {
			return x.Group
		}
	}
	return ""
}

// Scope is the reach of an action.
type Scope string

// Scopes lists the scopes.
var Scopes = []Scope{"organisation", "national", "regional", "international"}

// Visibility says who may see an accepted action.
type Visibility string

const (
	Public          Visibility = "public"
	SecretariatOnly Visibility = "secretariat"
)

// State is where an action stands in the reporting workflow.
type State string

const (
	Draft            State = "draft"
	Submitted        State = "submitted"
	Accepted         State = "accepted"
	ChangesRequested State = "changes_requested"
	Withdrawn        State = "withdrawn"
)

// States lists the workflow states in order.
var States = []State{Draft, Submitted, ChangesRequested, Accepted, Withdrawn}

// Editable reports whether the organisation may still edit an action in s.
func (s State) Editable() bool { return s == Draft || s == ChangesRequested }

// EvidenceKind is what an evidence link points to.
type EvidenceKind string

// EvidenceKinds lists the evidence kinds.
var EvidenceKinds = []EvidenceKind{"law", "regulation", "policy", "procurement_notice", "disclosure_policy", "report", "press_release", "other"}

// Valid reports whether the code is known.
func (s Stage) Valid() bool        { return slices.Contains(Stages, s) }
func (m MeasureType) Valid() bool  { return m.Group() != "" }
func (s Scope) Valid() bool        { return slices.Contains(Scopes, s) }
func (v Visibility) Valid() bool   { return v == Public || v == SecretariatOnly }
func (s State) Valid() bool        { return slices.Contains(States, s) }
func (k EvidenceKind) Valid() bool { return slices.Contains(EvidenceKinds, k) }
