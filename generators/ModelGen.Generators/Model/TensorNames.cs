using System.Text;

namespace ModelGen.Generators.Model;

/// <summary>Derives weight-file tensor names from property names.</summary>
internal static class TensorNames
{
    /// <summary>
    /// snake_case of a PascalCase name: <c>Hidden</c> -> <c>hidden</c>, <c>FcA</c> -> <c>fc_a</c>,
    /// <c>Layer2Out</c> -> <c>layer2_out</c>, <c>HTTPLayer</c> -> <c>http_layer</c>. A word starts at an upper-case
    /// letter that follows a lower-case letter or digit, or that ends a run of capitals before a lower-case letter.
    /// </summary>
    public static string FromPropertyName(string propertyName)
    {
        var result = new StringBuilder(propertyName.Length + 4);
        for (var i = 0; i < propertyName.Length; i++)
        {
            var c = propertyName[i];
            if (i > 0 && char.IsUpper(c) && StartsWord(propertyName, i))
            {
                result.Append('_');
            }

            result.Append(char.ToLowerInvariant(c));
        }

        return result.ToString();
    }

    private static bool StartsWord(string name, int i)
    {
        var previous = name[i - 1];
        if (char.IsLower(previous) || char.IsDigit(previous))
        {
            return true;
        }

        var nextIsLower = i + 1 < name.Length && char.IsLower(name[i + 1]);
        return char.IsUpper(previous) && nextIsLower;
    }
}
