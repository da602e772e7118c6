package plan

// TableFunction describes one table function for listings (streamsql
// functions) and messages: what TABLE(NAME(CURSOR(...), ...)) takes and
// what its rows hold.
type TableFunction struct {
	Name        string
	Args        string // after the name, as written in SQL
	Returns     string // the columns of its rows
	Description string
}

// tableFunctionDocs follows tableFunctions (and GROUP_RANK, planned in
// grouprank.go); a test keeps the two in step.
var tableFunctionDocs = []TableFunction{
	{Name: "COUNT_DISTINCT_ITEMS_TUMBLING", Args: "(CURSOR(SELECT STREAM ...), 'columnName', windowSize)",
		Returns: "NUMBER_OF_DISTINCT_ITEMS BIGINT", Description: "distinct values of a column per tumbling window of windowSize seconds (exact to 10,000 items, HyperLogLog beyond)"},
	{Name: "GROUP_RANK", Args: "(CURSOR(SELECT STREAM ...), 'rankByColumnName', 'rankOutColumnName', 'sortOrder', 'outputOrder', maxIdle, outputMax)",
		Returns: "the cursor's columns and the rank INTEGER", Description: "ranks the rows of each group of equal ROWTIME by a column"},
	{Name: "HOTSPOTS", Args: "(CURSOR(SELECT STREAM ...), windowSize, scanRadius, minimumNumberOfPointsInAHotspot)",
		Returns: "the cursor's columns and HOTSPOTS_RESULT VARCHAR(10000)", Description: "dense regions among the last windowSize rows of the numeric columns, as KDA's JSON"},
	{Name: "RANDOM_CUT_FOREST", Args: "(CURSOR(SELECT STREAM ...) [, numberOfTrees, subSampleSize, timeDecay, shingleSize])",
		Returns: "the cursor's columns and ANOMALY_SCORE DOUBLE", Description: "anomaly score of each row over its numeric columns (seeded: replays agree)"},
	{Name: "RANDOM_CUT_FOREST_WITH_EXPLANATION", Args: "(CURSOR(SELECT STREAM ...) [, numberOfTrees, subSampleSize, timeDecay, shingleSize, withDirectionality])",
		Returns: "the cursor's columns, ANOMALY_SCORE DOUBLE and ANOMALY_EXPLANATION VARCHAR", Description: "anomaly score with each column's attribution (and direction)"},
	{Name: "TOP_K_ITEMS_TUMBLING", Args: "(CURSOR(SELECT STREAM ...), 'columnName', K, windowSize)",
		Returns: "the column and MOST_FREQUENT_VALUES BIGINT", Description: "the K most frequent values of a column per tumbling window of windowSize seconds"},
}

// TableFunctions lists the table functions, sorted by name.
func TableFunctions() []TableFunction { return append([]TableFunction(nil), tableFunctionDocs...) }
