using ModelGen.Generators.Model;

namespace ModelGen.Generators.Tests;

public sealed class TensorNamesTests
{
    [Theory]
    [InlineData("Hidden", "hidden")]
    [InlineData("FcA", "fc_a")]
    [InlineData("Layer2Out", "layer2_out")]
    [InlineData("Fc1", "fc1")]
    [InlineData("Fc2A", "fc2_a")]
    [InlineData("HTTPLayer", "http_layer")]
    [InlineData("IOGate", "io_gate")]
    [InlineData("ABC", "abc")]
    [InlineData("EncoderQKV", "encoder_qkv")]
    [InlineData("hidden", "hidden")]
    [InlineData("outputHead", "output_head")]
    [InlineData("Hidden_Layer", "hidden_layer")]
    [InlineData("_Hidden", "_hidden")]
    [InlineData("X", "x")]
    [InlineData("Übersicht", "übersicht")]
    public void PropertyNamesBecomeSnakeCase(string property, string tensor) =>
        Assert.Equal(tensor, TensorNames.FromPropertyName(property));
}
