namespace Apg.Core.Runtime;

/// <summary>
/// Checkpointing a generator's stream. TorchSharp's set_state aborts the process on a state of the wrong size,
/// so a saved state is checked against the generator's own first.
/// </summary>
public static class GeneratorState
{
    public static Tensor Get(Generator generator) => generator.get_state();

    public static void Set(Generator generator, Tensor state, string source)
    {
        using var current = generator.get_state();
        if (state.dtype != current.dtype || !state.shape.SequenceEqual(current.shape))
            throw new InvalidDataException(
                $"{source}: generator state is {state.dtype} {Shapes.Format(state)}, this generator's is {current.dtype} {Shapes.Format(current)}");
        generator.set_state(state.device_type == DeviceType.CPU ? state.contiguous() : state.cpu());
    }
}
