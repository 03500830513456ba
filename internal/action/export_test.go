package action

// SetBatch sets how many public actions EachPublic reads at a time, so
// that a test walks through several batches with a few actions.
func (s *Service) SetBatch(n int) { s.batch = n }
