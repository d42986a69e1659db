namespace Apg.Torch.NN;

public sealed class ReLU : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor input) => input.Relu();
}

public sealed class Tanh : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor input) => input.Tanh();
}

public sealed class Sigmoid : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor input) => input.Sigmoid();
}

public sealed class Softplus(double beta = 1, double threshold = 20) : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor input) => input.Softplus(beta, threshold);
}

public sealed class Softmax(long dim) : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor input) => input.Softmax(dim);
}
