package store

// publicActionCondition is what the public may see of actions on a day:
// accepted, public, of a cycle whose embargo is over. Every public read
// in SQL asks it; its one argument is the day.
const publicActionCondition = "state = 'accepted' AND visibility = 'public' AND cycle_id IN " +
	"(SELECT id FROM cycles WHERE embargo = 'immediate' OR forum_date <= ?)"
