// `workbench import dcgan`: a plain netG state dict becomes a run whose samples are the generator's.
import Foundation
import Testing
import DCGAN
import WorkbenchNN
import WorkbenchRun
import WorkbenchTesting

@Suite struct DCGANImportTests {
    @Test func generatorStateDictSamplesAsItself() throws {
        let dir = TemporaryDirectory("dcgan-import")
        var g = Generator(seed: 5)
        let config = try DCGANPreset.preset("quick").model
        let netG = DCGANGenerator(config, generator: &g)
        try Checkpoint.save(modules: ["": netG], to: dir.file("netG.safetensors"))
        let run = try RunImport.make(DCGAN.self, stateDict: dir.file("netG.safetensors"), preset: "quick", modelConfig: nil,
                                     root: dir.file("runs"))
        let imported = try DCGAN.loadGenerator(run.lastCheckpointPath)
        #expect(DCGAN.samples(imported, count: 8, seed: 1).data == DCGAN.samples(netG, count: 8, seed: 1).data)
        // A discriminator's state dict is not a generator.
        let netD = DCGANDiscriminator(config, generator: &g)
        try Checkpoint.save(modules: ["": netD], to: dir.file("netD.safetensors"))
        #expect(throws: RunError.self) {
            try RunImport.make(DCGAN.self, stateDict: dir.file("netD.safetensors"), preset: "quick", modelConfig: nil, root: dir.file("runs"))
        }
    }
}
