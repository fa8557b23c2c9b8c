// The zoo and torchvision 0.14's figures for each network, as
// scripts/torchvision-figures.py prints them: parameters as PyTorch counts
// them, multiply-accumulates of convolutions and linear layers for one image
// at the network's size (224x224; Inception v3 299x299).

export interface ZooNetwork {
  file: string;
  /** torchvision.models builder. */
  torchvision: string;
  params: number;
  /** With the auxiliary heads (Inception v3's AuxLogits). */
  paramsWithAux?: number;
  macs: number;
}

export const zoo: ZooNetwork[] = [
  { file: "specs/zoo/alexnet.net", torchvision: "alexnet", params: 61_100_840, macs: 714_188_480 },
  { file: "specs/zoo/vgg16.net", torchvision: "vgg16", params: 138_357_544, macs: 15_470_264_320 },
  { file: "specs/zoo/resnet18.net", torchvision: "resnet18", params: 11_689_512, macs: 1_814_073_344 },
  { file: "specs/zoo/resnet50.net", torchvision: "resnet50", params: 25_557_032, macs: 4_089_184_256 },
  { file: "specs/zoo/inception-v3.net", torchvision: "inception_v3", params: 23_834_568, paramsWithAux: 27_161_264, macs: 5_713_216_096 },
  { file: "specs/zoo/mobilenet-v2.net", torchvision: "mobilenet_v2", params: 3_504_872, macs: 300_774_272 },
  { file: "specs/zoo/densenet121.net", torchvision: "densenet121", params: 7_978_856, macs: 2_834_161_664 },
  { file: "specs/zoo/squeezenet1-1.net", torchvision: "squeezenet1_1", params: 1_235_496, macs: 349_151_936 },
  { file: "specs/zoo/resnext50-32x4d.net", torchvision: "resnext50_32x4d", params: 25_028_904, macs: 4_230_479_872 },
  { file: "specs/zoo/wide-resnet50-2.net", torchvision: "wide_resnet50_2", params: 68_883_240, macs: 11_398_021_120 },
  { file: "specs/zoo/mnasnet1-0.net", torchvision: "mnasnet1_0", params: 4_383_312, macs: 314_415_872 },
  { file: "specs/zoo/efficientnet-b0.net", torchvision: "efficientnet_b0", params: 5_288_548, macs: 385_814_752 },
  { file: "specs/zoo/efficientnet-b1.net", torchvision: "efficientnet_b1", params: 7_794_184, macs: 569_651_680 },
  { file: "specs/zoo/efficientnet-v2-s.net", torchvision: "efficientnet_v2_s", params: 21_458_488, macs: 2_849_895_872 },
  { file: "specs/zoo/convnext-tiny.net", torchvision: "convnext_tiny", params: 28_589_128, macs: 4_455_531_264 },
  { file: "specs/zoo/convnext-small.net", torchvision: "convnext_small", params: 50_223_688, macs: 8_683_712_256 },
  { file: "specs/zoo/shufflenet-v2-x1-0.net", torchvision: "shufflenet_v2_x1_0", params: 2_278_604, macs: 144_907_992 },
  { file: "specs/zoo/shufflenet-v2-x0-5.net", torchvision: "shufflenet_v2_x0_5", params: 1_366_792, macs: 40_476_448 },
  { file: "specs/zoo/mobilenet-v3-large.net", torchvision: "mobilenet_v3_large", params: 5_483_032, macs: 216_589_760 },
  { file: "specs/zoo/mobilenet-v3-small.net", torchvision: "mobilenet_v3_small", params: 2_542_856, macs: 56_510_400 },
  { file: "specs/zoo/regnet-y-400mf.net", torchvision: "regnet_y_400mf", params: 4_344_144, macs: 401_842_848 },
  { file: "specs/zoo/regnet-x-400mf.net", torchvision: "regnet_x_400mf", params: 5_495_976, macs: 413_812_608 },
];
