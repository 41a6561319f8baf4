namespace AnalyzerShowcase;

// MG0006: reserved. Its rule is being added separately; its showcase goes in this file (and its id in
// SamplesAreCleanTests.ShowcasedRules and the README of this folder) when it lands.
