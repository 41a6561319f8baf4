namespace MobileNetV2;

/// <summary>
/// Finds torchvision's MobileNetV2 weights and reference logits: the folder given on the command line, else
/// <c>shared/data/reference-models</c> next to the repository (too large to ship in the repository itself).
/// </summary>
internal static class ReferenceFiles
{
    public const string Weights = "mobilenet_v2.safetensors";
    public const string Reference = "mobilenet_v2.reference.safetensors";

    public static string? Find(string[] args)
    {
        if (args.Length > 0)
            return File.Exists(Path.Combine(args[0], Weights)) ? args[0] : null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data", "reference-models");
            if (File.Exists(Path.Combine(candidate, Weights)))
                return candidate;
        }

        return null;
    }
}
