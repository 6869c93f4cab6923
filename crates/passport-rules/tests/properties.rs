mod support;

use passport_model::*;
use passport_rules::{evaluate, icao, uk, us, Profile};
use proptest::prelude::*;
use support::*;

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => -400.0f64..400.0,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
    ]
}

fn any_attr() -> impl Strategy<Value = Option<Attribute>> {
    proptest::option::of(
        (any::<bool>(), any_f64()).prop_map(|(value, confidence)| Attribute { value, confidence }),
    )
}

fn any_face() -> impl Strategy<Value = Face> {
    (
        (any_f64(), any_f64(), any_f64(), any_f64(), any_f64()),
        proptest::option::of((any_f64(), any_f64(), any_f64())),
        proptest::collection::vec((0usize..30, any_f64(), any_f64()), 0..6),
        (any_attr(), any_attr(), any_attr(), any_attr()),
        proptest::option::of((0u32..100, 0u32..100)),
    )
        .prop_map(
            |((l, t, w, h, c), pose, lms, (eyes, mouth, smile, glasses), age)| {
                let kinds = [
                    LandmarkType::EyeLeft,
                    LandmarkType::EyeRight,
                    LandmarkType::ChinBottom,
                    LandmarkType::Nose,
                ];
                let mut f = Face::new(
                    BoundingBox {
                        left: l,
                        top: t,
                        width: w,
                        height: h,
                    },
                    c,
                );
                f.pose = pose.map(|(roll, yaw, pitch)| Pose { roll, yaw, pitch });
                f.landmarks = lms
                    .into_iter()
                    .map(|(k, x, y)| Landmark {
                        kind: kinds[k % kinds.len()],
                        x,
                        y,
                    })
                    .collect();
                f.eyes_open = eyes;
                f.mouth_open = mouth;
                f.smile = smile;
                f.eyeglasses = glasses;
                f.age_range = age.map(|(low, high)| AgeRange { low, high });
                f
            },
        )
}

fn any_doc() -> impl Strategy<Value = ExecutionDocument> {
    (
        proptest::option::of(proptest::collection::vec(any_face(), 0..4)),
        proptest::option::of((0u32..5000, 0u32..5000, 0u64..20_000_000, any::<bool>())),
        proptest::option::of((any::<bool>(), any_f64(), any_f64(), any_f64())),
    )
        .prop_map(|(faces, meta, image)| {
            let mut d = ExecutionDocument::new(PhotoRef::new("b", "k"));
            d.faces = faces.map(analysis);
            d.metadata = meta.map(|(w, h, size, analyzable)| ImageMetadata {
                analyzable,
                ..metadata(w, h, size)
            });
            d.image = image.map(|(decodable, a, b, c)| {
                let mut m = good_measures(600, 750, 300_000);
                m.decodable = decodable;
                m.background.as_mut().unwrap().mean_lightness = a;
                m.lighting.as_mut().unwrap().histogram_overlap = b;
                m.compression.as_mut().unwrap().ratio = c;
                m
            });
            d
        })
}

fn profile(i: usize) -> Profile {
    [icao(), us(), uk()][i % 3].clone()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// Never panics; the verdict is REJECTED exactly when some check FAILs; every check
    /// of the catalogue is reported once.
    #[test]
    fn any_document_gets_a_consistent_verdict(d in any_doc(), p in 0usize..3) {
        let v = evaluate(&d, &profile(p));
        let any_fail = v.checks.iter().any(|c| c.status == CheckStatus::Fail);
        prop_assert_eq!(v.outcome == Outcome::Rejected, any_fail);
        prop_assert_eq!(v.checks.len(), passport_rules::CheckId::ALL.len());
        // Failures come first.
        let first_non_fail = v.checks.iter().position(|c| c.status != CheckStatus::Fail).unwrap_or(v.checks.len());
        prop_assert!(v.checks[first_non_fail..].iter().all(|c| c.status != CheckStatus::Fail));
        // Skipped checks say why.
        for c in v.checks.iter().filter(|c| c.status == CheckStatus::Skipped) {
            prop_assert!(c.message.starts_with("Not checked: ") || c.message.starts_with("Not evaluated offline: "));
        }
    }

    /// Making a measure worse never turns a FAIL into a PASS.
    #[test]
    fn worse_is_never_better(
        yaw in 0.0f64..60.0, extra_yaw in 0.0f64..60.0,
        size in 1u64..20_000_000, extra_size in 0u64..5_000_000,
        inter in 10.0f64..300.0, less_inter in 0.0f64..200.0,
        centre in 0.0f64..0.3, more_off in 0.0f64..0.3,
        ratio in 1.0f64..40.0, more_ratio in 0.0f64..40.0,
        p in 0usize..3,
    ) {
        let p = profile(p);
        let (w, h) = (600.0, 750.0);
        let mk = |yaw: f64, size: u64, inter: f64, off: f64, ratio: f64| {
            let mut f = face_with_geometry(0.72, 0.6, 0.5 + off, inter, w, h);
            f.pose.as_mut().unwrap().yaw = yaw;
            let mut d = doc(analysis(vec![f]));
            d.metadata.as_mut().unwrap().size_bytes = size;
            d.image.as_mut().unwrap().compression.as_mut().unwrap().ratio = ratio;
            evaluate(&d, &p)
        };
        let good = mk(yaw, size, inter, centre, ratio);
        let worse = mk(yaw + extra_yaw, size + extra_size, (inter - less_inter).max(0.0), centre + more_off, ratio + more_ratio);
        for id in ["face.pose", "face.inter_eye", "face.centred", "image.compression"] {
            if status(&good, id) == CheckStatus::Fail {
                prop_assert_eq!(status(&worse, id), CheckStatus::Fail, "{}", id);
            }
        }
        // File size only grows worse above the maximum.
        let max = p.limits.file_size_bytes.max.unwrap() as u64;
        if size > max {
            prop_assert_eq!(status(&worse, "file.size"), CheckStatus::Fail);
        }
    }
}
