package action

import "io"

// SetBatch sets how many public actions EachPublic reads at a time, so
// that a test walks through several batches with a few actions.
func (s *Service) SetBatch(n int) { s.batch = n }

// Parse reads an import file as the service does, against the twelve
// recommendations.
func Parse(r io.Reader, f Format) (Reading, []Input, []Problem) {
	return parse(r, f, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
}
