using AnalyzerShowcase;

// The interesting output of this project is its build: `dotnet build samples/AnalyzerShowcase` lists a warning or a
// message for every ModelGen rule (see README.md). Running it only prints the memory report of a valid model.
Console.WriteLine(SmallModel.Memory);
