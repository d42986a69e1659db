namespace Apg.Torch;

/// <summary>An error raised by libtorch, carrying libtorch's own message.</summary>
public class TorchException(string message) : Exception(message);

/// <summary>libtorch or the native shim over it is not installed where the process can load it.</summary>
public sealed class TorchNotAvailableException(string message) : TorchException(message);
