namespace AnalyzerShowcase;

// MG0010 (warning): reported on every valid model of this project, because aot-settings.globalconfig says the project
// publishes with NativeAOT for linux-x64 without an IlcInstructionSet that includes AVX2 (see SmallModel).
