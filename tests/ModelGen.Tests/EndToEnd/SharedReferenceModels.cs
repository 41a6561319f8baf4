namespace ModelGen.Tests.EndToEnd;

/// <summary>Reference models too large to ship in data/: found in ../shared next to the repository root when the machine has it.</summary>
internal static class SharedReferenceModels
{
    public static string? Find(string file)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!Directory.Exists(Path.Combine(dir.FullName, "src", "ModelGen"))) continue;
            string path = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "reference-models", file));
            return File.Exists(path) ? path : null;
        }

        return null;
    }
}
