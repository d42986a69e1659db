// appendix-g of the APG paper, GMM: dotnet fsi src/Apg.Scripts/fsx/appendix-g.fsx [smoke|cpu|paper]
#load "Load.fsx"
Load.runTarget "appendix-g"
