// table2 (bouncing MNIST, section 6.4): dotnet fsi src/Apg.Scripts/fsx/table2.fsx [smoke|cpu|paper]
#load "Load.fsx"
Load.runTarget "table2"
