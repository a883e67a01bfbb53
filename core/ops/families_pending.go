package ops

// Op families still to be written; each table gains its rows in its own file.
var (
	shapeConstructors  = map[string]Constructor{"dimshuffle": buildDimShuffle}
	indexConstructors  = map[string]Constructor{}
	linalgConstructors = map[string]Constructor{}
	nnetConstructors   = map[string]Constructor{}
)
