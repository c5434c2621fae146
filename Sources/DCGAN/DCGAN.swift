// The DCGAN paper module's entry point: Radford, Metz, Chintala 2015, arXiv:1511.06434.
import WorkbenchNN

public enum DCGAN {
    public static let id = "dcgan"
    public static let title = "DCGAN — Radford, Metz, Chintala 2015, arXiv:1511.06434"

    /// Registers dcgan.generator, dcgan.discriminator and dcgan.gan_steps with `workbench verify`.
    public static func registerFixtures() { DCGANFixtures.register() }
}
