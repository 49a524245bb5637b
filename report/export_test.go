package report

// Unexported helpers the external tests need.
var (
	Location  = location
	CSPHash   = cspHash
	HTMLStyle = htmlStyle
)
