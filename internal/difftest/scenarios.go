package difftest

// Scenarios returns every scenario of the suite, in the order they run.
func Scenarios() []Scenario {
	var all []Scenario
	for _, group := range [][]Scenario{
		nodeScenarios,
		multiScenarios,
		aclScenarios,
		watchScenarios,
		sessionScenarios,
		flwScenarios,
		kazooScenarios,
	} {
		all = append(all, group...)
	}
	return all
}
