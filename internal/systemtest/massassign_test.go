package systemtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// serverOwned names what a client might send to set what only the server
// decides: the owner, the workflow, the reviewer, the lock and the clock.
// Each target also gets every column of its table and every field of its
// JSON form that a client may not edit, so a column added later is tried
// the day it exists.
var serverOwned = []string{"organisation", "organisation_id", "stakeholder_id", "state", "status", "reviewer", "reviewer_id",
	"reviewed_by", "reviewed_at", "created_by", "updated_by", "created_at", "updated_at", "submitted_at", "accepted_at", "version"}

// hostileValue is what an attacker would send for a field: another
// organisation's id, a later state, an old date, a version ahead of the
// lock's.
func hostileValue(name string, row map[string]string, otherOrg int64) any {
	switch {
	case name == "version":
		v, _ := strconv.Atoi(row["version"])
		return v + 7
	case name == "year", name == "cycle":
		return 2025
	case name == "state":
		return "accepted"
	case name == "status":
		return "published"
	case strings.HasSuffix(name, "_at"):
		return "2020-01-02T03:04:05Z"
	case name == "id", name == "reviewer", name == "carried_from", strings.HasSuffix(name, "_id"), strings.HasSuffix(name, "_by"):
		return otherOrg
	}
	return "Hijacked"
}

// send posts fields as a page's form or as a JSON object.
func send(c apptest.APIClient, method, path string, form bool, fields map[string]any) apptest.Response {
	c.T.Helper()
	if !form {
		b, err := json.Marshal(fields)
		if err != nil {
			c.T.Fatal(err)
		}
		return c.Do(method, path, string(b))
	}
	v := url.Values{}
	for name, value := range fields {
		if list, ok := value.([]string); ok {
			v[name] = list
			continue
		}
		v.Set(name, fmt.Sprint(value))
	}
	return c.Do(method, path, v.Encode(), "Content-Type", "application/x-www-form-urlencoded")
}

// rowOf reads one row, every column, as text.
func rowOf(t *testing.T, db *store.DB, table string, id int64) map[string]string {
	t.Helper()
	rows, err := db.SQL().Query("SELECT * FROM "+table+" WHERE id = $1", id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if !rows.Next() {
		t.Fatalf("no %s %d", table, id)
	}
	if err := rows.Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	row := map[string]string{}
	for i, c := range cols {
		row[c] = apptest.CellText(vals[i])
	}
	return row
}

// fieldsOf names the fields of an object's JSON form (of the first item of
// a list).
func fieldsOf(t *testing.T, r apptest.Response) []string {
	t.Helper()
	obj := apptest.Decode[map[string]any](t, r)
	if items, ok := obj["items"].([]any); ok && len(items) > 0 {
		obj, _ = items[0].(map[string]any)
	}
	var names []string
	for k := range obj {
		names = append(names, k)
	}
	return names
}

// tableColumns lists a table's columns.
func tableColumns(t *testing.T, db *store.DB, table string) []string {
	t.Helper()
	rows, err := db.SQL().Query("SELECT * FROM " + table + " WHERE 1 = 0")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	return cols
}

// hostileNames is what to try on a target: the server-owned names, the
// table's columns and the object's JSON fields, less what a client edits.
func hostileNames(t *testing.T, db *store.DB, table string, jsonFields, editable []string) []string {
	t.Helper()
	seen := map[string]bool{}
	for _, list := range [][]string{serverOwned, tableColumns(t, db, table), jsonFields} {
		for _, n := range list {
			if !slices.Contains(editable, n) {
				seen[n] = true
			}
		}
	}
	var names []string
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// editTarget is a route that changes an object: what a client may set on
// it, and what a legitimate save alters.
type editTarget struct {
	route    string // method and path as the router lists it
	client   apptest.APIClient
	path     string
	form     bool                  // a page's form; else a JSON body, which refuses what it does not take
	jsonOf   string                // where the object's JSON form is read, for its field names
	table    string                // the object's table
	id       int64                 // its row
	editable []string              // names a client may set: fields and their columns
	legit    func() map[string]any // a legitimate change from the object as it stands
	changes  []string              // columns a legitimate save alters; it sets the first
	rewrites []string              // tables a legitimate save rewrites besides the row
}

// createTarget is a route that creates an action.
type createTarget struct {
	route   string
	client  apptest.APIClient
	path    string
	form    bool
	ignored []string // request fields that a creation ignores by design
	legit   func() map[string]any
}

// A request that tries to set what only the server decides (organisation,
// state, reviewer, version, timestamps, ids, and every other column and
// JSON field a client may not edit), each alone and all at once, on every
// route that edits or creates: it is refused, or the field is ignored. A
// JSON body is refused (the API takes no field it would ignore; only a
// creation ignores the version, which starts at 1), and so is any version
// but the one read, 0 included. A refused request changes no row of any
// organisation; an accepted one changes the edited row only in what the
// legitimate change sets, and an action it creates is the caller's draft at
// version 1 as the server made it.
func TestMassAssignment(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		ctx := context.Background()
		owned := apptest.OwnedTables(t, db)
		faults := 0
		fault := func(format string, args ...any) {
			t.Helper()
			faults++
			t.Errorf(format, args...)
		}
		me := apptest.Decode[struct{ User struct{ ID int64 } }](t, sc.Member.Do("GET", "/api/v1/me", "")).User
		draft := apptest.Decode[apptest.ActionJSON](t, sc.Member.Do("POST", "/api/v1/actions", apptest.NewActionBody))
		openCycle, err := sc.S.Cycles.Get(ctx, 2026)
		if err != nil {
			t.Fatal(err)
		}
		actionEditable := []string{"title", "description", "recommendations", "stage", "measure", "measure_type", "scope",
			"visibility", "starts_on", "start_date", "ends_on", "end_date", "evidence"}
		n := 0
		actionForm := func() map[string]any {
			n++
			a, err := sc.S.Actions.Get(ctx, testutil.System, draft.ID)
			if err != nil {
				t.Fatal(err)
			}
			f := map[string]any{"version": a.Version, "cycle": 2026, "op": "save", "title": fmt.Sprintf("Legitimate edit %d", n),
				"description": a.Description, "stage": a.Stage, "measure": a.MeasureType, "scope": a.Scope, "visibility": a.Visibility}
			var recs []string
			for _, r := range a.Recommendations {
				recs = append(recs, strconv.Itoa(r))
			}
			f["recommendations"] = recs
			for i, e := range a.Evidence {
				f[fmt.Sprint("evidence_kind_", i)], f[fmt.Sprint("evidence_url_", i)], f[fmt.Sprint("evidence_title_", i)] = e.Kind, e.URL, e.Title
			}
			if a.StartDate != nil {
				f["starts_on"] = a.StartDate.Format(time.DateOnly)
			}
			if a.EndDate != nil {
				f["ends_on"] = a.EndDate.Format(time.DateOnly)
			}
			return f
		}
		orgForm := func() map[string]any {
			n++
			s, err := sc.S.Stakeholders.Get(ctx, sc.Org.ID)
			if err != nil {
				t.Fatal(err)
			}
			f := map[string]any{"version": s.Version, "name": s.Name, "kind": s.Kind, "country": s.Country,
				"website": fmt.Sprintf("https://example.org/legitimate/%d", n), "active": "on"}
			if s.Verified {
				f["verified"] = "on"
			}
			return f
		}
		cycleForm := func() map[string]any {
			c, err := sc.S.Cycles.Get(ctx, 2026)
			if err != nil {
				t.Fatal(err)
			}
			embargo := cycle.UntilForum
			if c.Embargo == embargo {
				embargo = cycle.Immediate
			}
			day := func(d time.Time) string { return d.Format(time.DateOnly) }
			return map[string]any{"version": c.Version, "opens_at": day(c.OpensAt), "deadline": day(c.Deadline),
				"report_at": day(c.ReportAt), "forum_date": day(c.ForumDate), "embargo": embargo}
		}
		// A level for the accepted action, the other one each time.
		assured := sc.LastYearAction.ID
		assuranceBody := func() map[string]any {
			a, err := sc.S.Actions.Get(ctx, testutil.System, assured)
			if err != nil {
				t.Fatal(err)
			}
			level := action.EvidenceChecked
			if a.Assurance == level {
				level = action.SelfDeclared
			}
			return map[string]any{"version": a.Version, "level": level, "note": "Checked against the official journal."}
		}
		// only keeps, of a full form, the lock and the names a PATCH sets.
		only := func(full func() map[string]any, names ...string) func() map[string]any {
			return func() map[string]any {
				f, out := full(), map[string]any{}
				for _, name := range append(names, "version") {
					out[name] = f[name]
				}
				return out
			}
		}
		// The crosswalk, which the secretariat edits: a framework's note and
		// a provision's (whose key needs escaping in the path).
		sc.S.Crosswalk(t)
		frameworkID := int64(apptest.QueryInt(t, db.SQL(), "SELECT id FROM frameworks WHERE key = 'un-gge-2015'"))
		provisionID := int64(apptest.QueryInt(t, db.SQL(), `SELECT p.id FROM provisions p JOIN frameworks f ON f.id = p.framework_id
			WHERE f.key = 'wassenaar-intrusion-2013' AND p.key = '4.E.1.c (2017 notes)'`))
		noteOf := func(table string, id int64) func() map[string]any {
			return func() map[string]any {
				n++
				version, _ := strconv.Atoi(rowOf(t, db, table, id)["version"])
				return map[string]any{"version": version, "note": fmt.Sprintf("Legitimate note %d", n)}
			}
		}
		// A data release, made by publishing last year's report, whose DOI
		// the secretariat records: a new one each time.
		compiled := sc.Sec.Do("POST", "/api/v1/cycles/2025/reports", "")
		if compiled.Status != 201 {
			t.Fatalf("compile: %d %s", compiled.Status, compiled.Body)
		}
		if p := sc.Sec.Do("POST", fmt.Sprintf("/api/v1/reports/%d/publish", apptest.Decode[apptest.ReportJSON](t, compiled).ID), ""); p.Status != 200 {
			t.Fatalf("publish: %d %s", p.Status, p.Body)
		}
		releaseID := int64(apptest.QueryInt(t, db.SQL(), "SELECT id FROM releases WHERE year = 2025 AND n = 1"))
		doiBody := func() map[string]any {
			n++
			return map[string]any{"doi": fmt.Sprintf("10.12345/pct.2025.1.%d", n)}
		}
		actionPath := fmt.Sprintf("/api/v1/actions/%d", draft.ID)
		orgEditable := []string{"name", "kind", "country", "website", "supporter_since", "verified", "active", "reviewer", "reviewer_until"}
		cycleEditable := []string{"opens_at", "deadline", "report_at", "forum_date", "embargo"}
		edits := []editTarget{
			{route: "PATCH /api/v1/actions/:id", client: sc.Member, path: actionPath, jsonOf: actionPath, table: "actions", id: draft.ID,
				editable: actionEditable, legit: only(actionForm, "title"), changes: []string{"title", "version", "updated_at", "updated_by"},
				rewrites: []string{"action_versions", "evidence", "action_recommendations"}},
			{route: "POST /actions/:id", client: sc.Member, path: fmt.Sprintf("/actions/%d", draft.ID), form: true, jsonOf: actionPath,
				table: "actions", id: draft.ID, editable: actionEditable, legit: actionForm, changes: []string{"title", "version", "updated_at", "updated_by"},
				rewrites: []string{"action_versions", "evidence", "action_recommendations"}},
			{route: "PATCH /api/v1/stakeholders/:id", client: sc.Sec, path: fmt.Sprintf("/api/v1/stakeholders/%d", sc.Org.ID),
				jsonOf: fmt.Sprintf("/api/v1/stakeholders/%d", sc.Org.ID), table: "stakeholders", id: sc.Org.ID, editable: orgEditable,
				legit: only(orgForm, "website"), changes: []string{"website", "version", "updated_at"}},
			{route: "POST /admin/organisations/:id", client: sc.Sec, path: fmt.Sprintf("/admin/organisations/%d", sc.Org.ID), form: true,
				jsonOf: fmt.Sprintf("/api/v1/stakeholders/%d", sc.Org.ID), table: "stakeholders", id: sc.Org.ID, editable: orgEditable,
				legit: orgForm, changes: []string{"website", "version", "updated_at"}},
			{route: "PATCH /api/v1/actions/:id/assurance", client: sc.Sec, path: fmt.Sprintf("/api/v1/actions/%d/assurance", assured),
				jsonOf: fmt.Sprintf("/api/v1/actions/%d", assured), table: "actions", id: assured, editable: []string{"level", "note"},
				legit: assuranceBody, changes: []string{"assurance", "version", "updated_at", "updated_by"}},
			{route: "PATCH /api/v1/cycles/:year", client: sc.Sec, path: "/api/v1/cycles/2026", jsonOf: "/api/v1/cycles", table: "cycles", id: openCycle.ID,
				editable: cycleEditable, legit: only(cycleForm, "embargo"), changes: []string{"embargo", "version", "updated_at"}},
			{route: "POST /admin/cycles/:year", client: sc.Sec, path: "/admin/cycles/2026", form: true, jsonOf: "/api/v1/cycles", table: "cycles",
				id: openCycle.ID, editable: cycleEditable, legit: cycleForm, changes: []string{"embargo", "version", "updated_at"}},
			{route: "PATCH /api/v1/frameworks/:key", client: sc.Sec, path: "/api/v1/frameworks/un-gge-2015", jsonOf: "/api/v1/frameworks/un-gge-2015",
				table: "frameworks", id: frameworkID, editable: []string{"title", "title_en", "title_fr", "fr_unofficial", "issued", "source", "note"},
				legit: noteOf("frameworks", frameworkID), changes: []string{"note", "version", "updated_at"}},
			{route: "PATCH /api/v1/frameworks/:key/provisions/:provision", client: sc.Sec,
				path:   "/api/v1/frameworks/wassenaar-intrusion-2013/provisions/4.E.1.c%20(2017%20notes)",
				jsonOf: "/api/v1/frameworks/wassenaar-intrusion-2013", table: "provisions", id: provisionID,
				editable: []string{"title", "title_en", "title_fr", "recommendations", "confidence", "note"},
				legit:    noteOf("provisions", provisionID), changes: []string{"note", "version", "updated_at"}, rewrites: []string{"provision_recommendations"}},
			{route: "PATCH /api/v1/releases/:id", client: sc.Sec, path: "/api/v1/releases/2025.1", jsonOf: "/api/v1/releases/2025.1",
				table: "releases", id: releaseID, editable: []string{"doi"}, legit: doiBody, changes: []string{"doi"}},
		}
		// Every PATCH route is an edit target (the matrix holds the rules
		// to the router's list of routes).
		for key := range rules {
			if strings.HasPrefix(key, "PATCH ") && !slices.ContainsFunc(edits, func(e editTarget) bool { return e.route == key }) {
				fault("%s is not tried for mass assignment", key)
			}
		}

		fields, requests, refused, ignored := map[string]bool{}, 0, 0, 0
		for _, e := range edits {
			names := hostileNames(t, db, e.table, fieldsOf(t, e.client.Do("GET", e.jsonOf, "")), e.editable)
			for _, name := range names {
				fields[name] = true
			}
			for _, try := range tries(names) {
				row, orgs := rowOf(t, db, e.table, e.id), apptest.OrgRows(t, db, owned)
				body, sent := e.legit(), filled(try, row, sc.OtherOrg.ID)
				maps.Copy(body, sent)
				method, _, _ := strings.Cut(e.route, " ")
				r := send(e.client, method, e.path, e.form, body)
				requests++
				afterRow, afterOrgs := rowOf(t, db, e.table, e.id), apptest.OrgRows(t, db, owned)
				what := fmt.Sprintf("%s with %v", e.route, sent)
				_, locked := try["version"]
				switch {
				case r.Status >= 500:
					fault("%s: %d %s", what, r.Status, r.Body)
				case r.Status >= 400:
					refused++
					if !maps.Equal(row, afterRow) || !slices.Equal(orgLines(orgs), orgLines(afterOrgs)) {
						fault("%s was refused (%d) but changed rows", what, r.Status)
					}
				case locked:
					fault("%s: %d, want a conflict: only the version read saves", what, r.Status)
				case !e.form:
					fault("%s: %d, want a refusal: the API takes no field it would ignore: %.300s", what, r.Status, r.Body)
				default:
					ignored++
					for col, was := range row {
						if afterRow[col] != was && !slices.Contains(e.changes, col) {
							fault("%s changed %s.%s from %s to %s", what, e.table, col, was, afterRow[col])
						}
					}
					if afterRow[e.changes[0]] == row[e.changes[0]] {
						fault("%s: %d, but the legitimate change of %s was not saved", what, r.Status, e.changes[0])
					}
					skip := []string{fmt.Sprintf("%s id=%d ", e.table, e.id)}
					for _, table := range e.rewrites {
						skip = append(skip, table+" ")
					}
					if !slices.Equal(orgLines(orgs, skip...), orgLines(afterOrgs, skip...)) {
						fault("%s changed rows beyond the edited one", what)
					}
				}
			}
		}

		// Creations: the same names, against a new action.
		createNames := hostileNames(t, db, "actions", fieldsOf(t, sc.Member.Do("GET", actionPath, "")), append(actionEditable, "cycle"))
		newAction := func() map[string]any {
			var f map[string]any
			if err := json.Unmarshal([]byte(apptest.NewActionBody), &f); err != nil {
				t.Fatal(err)
			}
			return f
		}
		newForm := func() map[string]any {
			f := actionForm()
			delete(f, "version")
			return f
		}
		creates := []createTarget{
			{route: "POST /api/v1/actions", client: sc.Member, path: "/api/v1/actions", ignored: []string{"version"}, legit: newAction},
			{route: "POST /actions", client: sc.Member, path: "/actions", form: true, legit: newForm},
		}
		made := 0
		check := func(what string, after int64) {
			t.Helper()
			ids := testutil.Column[int64](t, db.SQL(), "SELECT id FROM actions WHERE id > $1", after)
			for _, id := range ids {
				made++
				a, err := sc.S.Actions.Get(ctx, testutil.System, id)
				if err != nil {
					t.Fatal(err)
				}
				_, events, err := sc.S.Actions.History(ctx, testutil.System, id)
				if err != nil {
					t.Fatal(err)
				}
				if a.StakeholderID != sc.Org.ID || a.State != action.Draft || a.Version != 1 || a.CycleYear != 2026 || a.CarriedFrom != nil ||
					a.CreatedBy != me.ID || a.UpdatedBy != me.ID || !a.CreatedAt.Equal(sc.S.Clock.Now()) || !a.UpdatedAt.Equal(sc.S.Clock.Now()) ||
					a.SubmittedAt != nil || a.AcceptedAt != nil || len(events) != 0 {
					fault("%s created %+v, %d review events: not the member's new draft", what, a, len(events))
				}
			}
		}
		lastID := func() int64 {
			var id int64
			if err := db.SQL().QueryRow("SELECT COALESCE(max(id), 0) FROM actions").Scan(&id); err != nil {
				t.Fatal(err)
			}
			return id
		}
		for _, c := range creates {
			for _, name := range createNames {
				fields[name] = true
			}
			for _, try := range tries(createNames) {
				before, others := lastID(), apptest.OrgRows(t, db, owned)[sc.OtherOrg.ID]
				body, sent := c.legit(), filled(try, map[string]string{"version": "1"}, sc.OtherOrg.ID)
				maps.Copy(body, sent)
				r := send(c.client, "POST", c.path, c.form, body)
				requests++
				what := fmt.Sprintf("%s with %v", c.route, sent)
				switch {
				case r.Status >= 500:
					fault("%s: %d %s", what, r.Status, r.Body)
				case r.Status >= 400:
					refused++
					if lastID() != before {
						fault("%s was refused (%d) but created an action", what, r.Status)
					}
				case !c.form && !(len(try) == 1 && slices.ContainsFunc(c.ignored, func(name string) bool { _, ok := try[name]; return ok })):
					fault("%s: %d, want a refusal: the API takes no field it would ignore: %.300s", what, r.Status, r.Body)
				default:
					ignored++
				}
				check(what, before)
				if !slices.Equal(others, apptest.OrgRows(t, db, owned)[sc.OtherOrg.ID]) {
					fault("%s changed the other organisation's rows", what)
				}
			}
		}

		// An import file with the same names as extra columns: they are
		// not columns of the template, and are ignored.
		var head, cells []string
		for _, name := range createNames {
			head = append(head, name)
			cells = append(cells, fmt.Sprint(hostileValue(name, map[string]string{"version": "1"}, sc.OtherOrg.ID)))
		}
		file := strings.TrimSuffix(apptest.CSVHeader, "\n") + "," + strings.Join(head, ",") + "\n" +
			"Imported action,Done,2;4,adopted,export_controls,national,public,2026-01-15,,law,https://example.org/i,Law," + strings.Join(cells, ",") + "\n"
		before := lastID()
		r := sc.Member.Do("POST", "/api/v1/actions/import?cycle=2026", file, "Content-Type", "text/csv")
		requests++
		if r.Status >= 500 || (r.Status < 400 && lastID() == before) {
			fault("import with extra columns: %d %s", r.Status, r.Body)
		}
		if r.Status >= 400 {
			refused++
		} else {
			ignored++
		}
		check("import with "+strings.Join(head, ","), before)

		tried := slices.Sorted(maps.Keys(fields))
		t.Logf("mass assignment: %d fields tried on %d edit routes, %d create routes and the import, each alone and all at once: "+
			"%d requests: %d refused, %d ignored, %d faults; %d actions created (fields: %s)",
			len(tried), len(edits), len(creates), requests, refused, ignored, faults, made, strings.Join(tried, " "))
	})
}

// tries are the sets of hostile fields to send: all names at once, each
// alone, and the version also as 0 and -1 (a value of nil stands for
// hostileValue's).
func tries(names []string) []map[string]any {
	all := map[string]any{}
	out := []map[string]any{all}
	for _, name := range names {
		all[name] = nil
		out = append(out, map[string]any{name: nil})
	}
	if slices.Contains(names, "version") {
		out = append(out, map[string]any{"version": 0}, map[string]any{"version": -1})
	}
	return out
}

// filled gives each field of a try its value, hostileValue's where the
// try has none.
func filled(try map[string]any, row map[string]string, otherOrg int64) map[string]any {
	out := map[string]any{}
	for name, value := range try {
		if value == nil {
			value = hostileValue(name, row, otherOrg)
		}
		out[name] = value
	}
	return out
}

// orgLines flattens every organisation's rows, leaving out the lines that
// start with one of skip ("table " for a whole table, "table id=N " for a
// row).
func orgLines(byOrg map[int64][]string, skip ...string) []string {
	var out []string
	for org, lines := range byOrg {
		for _, l := range lines {
			if !slices.ContainsFunc(skip, func(p string) bool { return strings.HasPrefix(l, p) }) {
				out = append(out, fmt.Sprint(org, " ", l))
			}
		}
	}
	sort.Strings(out)
	return out
}
