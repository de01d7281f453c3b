//! Phase 10, platform: an app in use for long enough with high enough
//! quality is validated; the vendor's platform then offers it to every
//! platform member, whose customers in that industry get its fit (and its
//! builder earns royalties, phase 7).

use crate::params::Scenario;
use crate::step::Scratch;
use crate::world::World;

pub fn run(world: &mut World, sc: &Scenario, _s: &mut Scratch) {
    let p = &sc.params;
    for app in world.apps.iter_mut() {
        let builder = &world.units[app.builder.idx()];
        if builder.alive && builder.book_ind[app.industry as usize] > 0 {
            app.months_in_use += 1;
        }
        if !app.validated
            && app.months_in_use >= p.validate_months
            && app.quality as f64 > p.validate_quality
        {
            app.validated = true;
        }
    }
}
