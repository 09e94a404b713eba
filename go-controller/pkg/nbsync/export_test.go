package nbsync

// CreateSetsAhead and NamedInMatches are for the tests of package nbsync_test.
var (
	CreateSetsAhead = createSetsAhead
	NamedInMatches  = namedInMatches
)
