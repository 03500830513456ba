package store

// publicCycles selects the cycles whose accepted public actions the public
// sees on a day, as cycle.Cycle.PublicOn says: those not embargoed, and
// those whose Forum has come. Its one argument is the day.
const publicCycles = "(SELECT id FROM cycles WHERE embargo = 'immediate' OR forum_date <= ?)"

// publicActionCondition is what the public may see of actions on a day:
// accepted, public, of a cycle whose embargo is over. Every public read
// in SQL asks it; its one argument is the day.
const publicActionCondition = "state = 'accepted' AND visibility = 'public' AND cycle_id IN " + publicCycles
