// figure4 (bouncing MNIST, section 6.4): dotnet fsi src/Apg.Scripts/fsx/figure4.fsx [smoke|cpu|paper]
#load "Load.fsx"
Load.runTarget "figure4"
