using System.Runtime.CompilerServices;

namespace ModelGen.Generators.Tests;

/// <summary>
/// Compares generated files with <c>Baselines/{Test}/{HintName}.txt</c> (copied next to the test binaries). With
/// <c>MODELGEN_UPDATE_BASELINES=1</c> it rewrites the checked-in file instead and fails, so an update is never silent.
/// </summary>
internal static class Baseline
{
    public const string UpdateVariable = "MODELGEN_UPDATE_BASELINES";

    public static void AssertMatches(string testName, string hintName, string actual)
    {
        var relative = Path.Combine("Baselines", testName, hintName + ".txt");
        actual = Normalize(actual);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            var path = Path.Combine(
                TryFindProjectDirectory() ?? throw new InvalidOperationException("Cannot find the test project's source folder to update baselines in."),
                relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            Assert.Fail($"Updated baseline {path}; run again without {UpdateVariable} to check it.");
        }

        // The checked-in file when the sources are here (never stale after an update), else the copy beside the binaries.
        var projectDirectory = TryFindProjectDirectory();
        var expectedPath = Path.Combine(projectDirectory ?? AppContext.BaseDirectory, relative);
        Assert.True(File.Exists(expectedPath), $"Missing baseline {relative}: run the tests with {UpdateVariable}=1 to create it.");
        var expected = Normalize(File.ReadAllText(expectedPath));
        if (expected != actual)
        {
            Assert.Fail($"Generated {hintName} differs from {relative} {FirstDifference(expected, actual)}. " +
                $"If the change is intended, run the tests with {UpdateVariable}=1 and review the diff.");
        }
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n");

    private static string FirstDifference(string expected, string actual)
    {
        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        for (var i = 0; i < Math.Max(expectedLines.Length, actualLines.Length); i++)
        {
            var e = i < expectedLines.Length ? expectedLines[i] : "<end of file>";
            var a = i < actualLines.Length ? actualLines[i] : "<end of file>";
            if (e != a)
            {
                return $"at line {i + 1}:\n  expected: {e}\n  actual:   {a}\n";
            }
        }

        return string.Empty;
    }

    // The source folder of this project: from the compiler's record of this file's path, or, when the binaries moved
    // (paths mapped in CI builds), the nearest folder above them that holds the project file. Null when neither exists.
    private static string? TryFindProjectDirectory([CallerFilePath] string thisFile = "")
    {
        const string ProjectFile = "ModelGen.Generators.Tests.csproj";
        var fromSource = Path.GetDirectoryName(thisFile);
        if (fromSource is not null && File.Exists(Path.Combine(fromSource, ProjectFile)))
        {
            return fromSource;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "ModelGen.Generators.Tests");
            if (File.Exists(Path.Combine(candidate, ProjectFile)))
            {
                return candidate;
            }
        }

        return null;
    }
}
